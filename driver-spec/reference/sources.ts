/**
 * The project's TypeScript sources as the driver reference reads them: one program built with the
 * compiler API from tsconfig.json (nothing is imported or run), and the comments and tags of its
 * declarations.
 */
import path from 'node:path';
import ts from 'typescript';

/** A TypeScript program over the repository and its type checker. */
export interface Sources {
  root: string;
  program: ts.Program;
  checker: ts.TypeChecker;
  /** `paths` of tsconfig.json: the module names drivers import (`styrmin/actions`) and their files. */
  paths: Record<string, string[]>;
}

/** Builds one program over `files` (relative to `root`) and whatever they import, with tsconfig.json's options. */
export function openSources(root: string, files: string[]): Sources {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} };
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, host);
  if (!config) throw new Error(`cannot read ${path.join(root, 'tsconfig.json')}`);
  const program = ts.createProgram(
    files.map((file) => path.join(root, file)),
    config.options,
  );
  return { root, program, checker: program.getTypeChecker(), paths: config.options.paths ?? {} };
}

/** The parsed source file at `file`, relative to the repository root. */
export function sourceFile(sources: Sources, file: string): ts.SourceFile {
  const found = sources.program.getSourceFile(path.join(sources.root, file));
  if (!found) throw new Error(`driver reference: ${file} is not in the program`);
  return found;
}

/** Where a declaration lives, relative to the repository root; `node_modules/...` for a library's. */
export function relativeFile(sources: Sources, node: ts.Node): string {
  return path.relative(sources.root, node.getSourceFile().fileName);
}

/** Comment text as Markdown: `{@link X}` as a code span, each paragraph on one line. */
export function markdownText(text: string): string {
  return text
    .replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, (_all, target: string) => `\`${target}\``)
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
}

/** The JSDoc text of a symbol, without its tags. */
export function docOf(sources: Sources, symbol: ts.Symbol): string {
  return markdownText(ts.displayPartsToString(symbol.getDocumentationComment(sources.checker)));
}

/** The texts of the symbol's JSDoc tags named `name`, in source order, each on one line. */
export function tagsOf(sources: Sources, symbol: ts.Symbol, name: string): string[] {
  return symbol
    .getJsDocTags(sources.checker)
    .filter((tag) => tag.name === name)
    .map((tag) => markdownText(ts.displayPartsToString(tag.text)));
}

/** The symbol an export stands for, following `export { x } from` and imports to the declaration. */
export function declared(sources: Sources, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? sources.checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * The file's leading JSDoc comment: its text and its `@example` code. Read from the comment itself,
 * because the JSDoc parser takes any `@word` for a tag, even mid-sentence (`@huggingface/jinja`).
 */
export function fileDoc(file: ts.SourceFile): { text: string; examples: string[] } {
  const range = ts.getLeadingCommentRanges(file.text, 0)?.find((r) => file.text.startsWith('/**', r.pos));
  if (!range) return { text: '', examples: [] };
  const lines = file.text
    .slice(range.pos + 3, range.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''));
  // A line starting with `@tag` starts a block that runs until the next such line.
  const blocks: string[][] = [[]];
  for (const line of lines) {
    if (/^@\w/.test(line)) blocks.push([]);
    blocks[blocks.length - 1]!.push(line);
  }
  const examples = blocks
    .filter((block) => block[0]?.startsWith('@example'))
    .map((block) => [block[0]!.slice('@example'.length).trim(), ...block.slice(1)].join('\n').trim());
  return { text: markdownText(blocks[0]!.join('\n')), examples };
}

/** Source text of a node without its comments, on one line (`{ a: string; b?: number; }`). */
export function printed(node: ts.Node): string {
  const printer = ts.createPrinter({ removeComments: true });
  return printer
    .printNode(ts.EmitHint.Unspecified, node, node.getSourceFile())
    .replace(/\s+/g, ' ')
    .replace(/,\s*([}\]])/g, ' $1');
}
