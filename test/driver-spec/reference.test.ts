/**
 * docs/driver-reference.md is what driver-spec/reference generates from the code now, and the
 * generator really covers what it claims to: every primitive, every top-level spec field, the
 * added filters, every failure type.
 */
import { readFile } from 'node:fs/promises';
import ts from 'typescript';
import { FailureType } from '../../contract/failures.js';
import { driverReference, referenceFile, regenerateCommand } from '../../driver-spec/reference/index.js';
import { repoRoot } from './helpers.js';

/** The functions workflows/primitives.ts exports, read from its syntax alone (not through the generator). */
async function exportedPrimitives(): Promise<string[]> {
  const file = `${repoRoot}workflows/primitives.ts`;
  const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) =>
    ts.isFunctionDeclaration(statement) &&
    statement.name &&
    ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      ? [statement.name.text]
      : [],
  );
}

/** The text of a `###` section: from its heading to the next heading. */
function subsection(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n### ${heading}\n`);
  if (start < 0) return '';
  const next = markdown.slice(start + 1).search(/\n##+ /);
  return next < 0 ? markdown.slice(start) : markdown.slice(start, start + 1 + next);
}

describe('docs/driver-reference.md', () => {
  let generated: string;
  beforeAll(async () => {
    generated = await driverReference();
  });

  it(`is up to date (regenerate: ${regenerateCommand})`, async () => {
    const written = await readFile(`${repoRoot}${referenceFile}`, 'utf8').catch(() => '');
    if (written !== generated) throw new Error(`${referenceFile} is out of date: run ${regenerateCommand}`);
  });

  it('has a section for every exported primitive, stating its idempotence and failure types', async () => {
    const primitives = await exportedPrimitives();
    expect(primitives).toEqual(expect.arrayContaining(['stopComponents', 'executeCommands', 'waitFor']));
    for (const name of primitives) {
      const section = subsection(generated, name);
      expect({ name, idempotent: /\*\*Idempotent:\*\* (yes|no) — \S/.test(section) }).toEqual({
        name,
        idempotent: true,
      });
      expect({ name, fails: /\*\*Fails with:\*\*( none — \S|\n {2}- \[`\w+`\])/.test(section) }).toEqual({
        name,
        fails: true,
      });
    }
  });

  it('lists every top-level property of spec in the schema', async () => {
    const schema = JSON.parse(await readFile(`${repoRoot}driver-spec/schema.json`, 'utf8')) as {
      properties: { spec: { properties: Record<string, unknown> } };
    };
    for (const name of Object.keys(schema.properties.spec.properties))
      expect(generated).toContain(`| \`spec.${name}\` |`);
  });

  it('lists the filters Styrmin adds and the template helpers', () => {
    for (const name of ['tojson', 'indent']) expect(subsection(generated, 'Filters')).toContain(`| \`${name}\` |`);
    expect(subsection(generated, 'Helpers')).toContain('`component_env_vars(name)`');
    expect(subsection(generated, 'Variables')).toContain('| `parameters` |');
  });

  it('lists every failure type with its meaning', () => {
    const section = generated.slice(generated.indexOf('\n## Failure types\n'));
    for (const type of Object.keys(FailureType)) expect(section).toMatch(new RegExp(`\\| \`${type}\` \\| \\S`));
  });
});
