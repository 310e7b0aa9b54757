/**
 * The filters of a values template: the ones activities/helm/values.ts adds with `addFilter` (read
 * with the compiler API, described by their functions' comments), and nunjucks' built-ins, with
 * the ones the repository's own templates use first.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { code, table } from './markdown.js';
import { declared, docOf, relativeFile, sourceFile, type Sources } from './sources.js';

export const valuesModule = 'activities/helm/values.ts';
/** Where the repository's own values templates are, so the ones its tests exercise can be named. */
const templateFolders = ['drivers', 'test'];

/** The filters values.ts adds (`environment.addFilter('name', fn)`), with the function each name runs. */
function addedFilters(sources: Sources): { name: string; fn: ts.Symbol }[] {
  const found: { name: string; fn: ts.Symbol }[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'addFilter'
    ) {
      const [name, fn] = node.arguments;
      const symbol = fn && sources.checker.getSymbolAtLocation(fn);
      if (!name || !ts.isStringLiteral(name) || !symbol)
        throw new Error(`driver reference: an addFilter call in ${valuesModule} does not name a filter and a function`);
      found.push({ name: name.text, fn: declared(sources, symbol) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile(sources, valuesModule));
  return found;
}

/**
 * The repository's committed values templates (drivers and test fixtures), sorted, relative to the
 * root: a driver an author keeps in a working copy does not change the reference.
 */
async function repositoryTemplates(root: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-z', '--', ...templateFolders], { cwd: root });
  return stdout
    .split('\0')
    .filter((file) => file.endsWith('.j2.yml'))
    .sort();
}

/** Names written after a `|` inside `{{ }}` or `{% %}` of a template. */
function filtersUsedIn(template: string): string[] {
  const tags = template.match(/\{[{%][\s\S]*?[}%]\}/g) ?? [];
  return tags.flatMap((tag) => [...tag.matchAll(/\|\s*([A-Za-z_]\w*)/g)].map((match) => match[1]!));
}

/** Filter names a list of them in prose: `a`, `b` and `c`. */
const names = (list: string[]) => list.map(code).join(', ');

/** The Filters subsection. */
export async function filtersPart(sources: Sources): Promise<string> {
  // nunjucks' own filters and globals, as an Environment gets them; it declares no types for these modules.
  const require = createRequire(import.meta.url);
  const builtins = Object.keys(require('nunjucks/src/filters') as object);
  const globals = Object.keys((require('nunjucks/src/globals') as () => object)());
  const added = addedFilters(sources);
  const templates = await repositoryTemplates(sources.root);
  const used = new Set<string>();
  for (const template of templates)
    filtersUsedIn(await readFile(path.join(sources.root, template), 'utf8')).forEach((n) => used.add(n));
  const ours = new Set(added.map((filter) => filter.name));
  const usedBuiltins = builtins.filter((name) => used.has(name) && !ours.has(name));
  const otherBuiltins = builtins.filter((name) => !used.has(name) && !ours.has(name));
  const addedRows = added.map(({ name, fn }) => {
    const replaces = builtins.includes(name) ? ` (replaces nunjucks' built-in \`${name}\`)` : '';
    const where = fn.declarations?.[0] ? relativeFile(sources, fn.declarations[0]) : valuesModule;
    return [code(name), `${docOf(sources, fn)}${replaces}`, where];
  });
  return [
    '### Filters',
    `**Added by Styrmin** (\`addFilter\` in ${valuesModule}):`,
    table(['Filter', 'Description', 'Defined in'], addedRows),
    `**nunjucks built-ins the templates in this repository use**, so the tests exercise them (${templates.join(', ')}): ` +
      `${names(usedBuiltins)}. See [nunjucks' built-in filters](https://mozilla.github.io/nunjucks/templating.html#builtin-filters).`,
    `**Other nunjucks built-ins**, available as well: ${names(otherBuiltins)}.`,
    `**Global functions** (nunjucks): ${names(globals)}.`,
  ].join('\n\n');
}
