/**
 * A seeded mutation fuzzer: hundreds of damaged driver specs (keys deleted, types swapped,
 * garbage inserted, text truncated) must either load or fail with a DriverSpecError whose
 * problems all have a place, never crash the loader.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadDriver } from '../../driver-spec/load.js';
import { planHook } from '../../driver-spec/plan.js';
import { DriverSpecError, formatProblem } from '../../driver-spec/problems.js';
import { validateHookInput } from '../../driver-spec/validate-input.js';
import { seededRandom } from '../../kubesim/util.js';
import { removeTempFolders, specFixture, tempFolder } from './helpers.js';

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const garbage = [
  '',
  ' ',
  ':',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '!!binary ',
  '"',
  "'",
  '\t',
  '#',
  '|',
  '>-',
  '::',
  '\u0000',
  '~',
  '? ',
];
const values: unknown[] = [
  null,
  0,
  -1,
  1.5,
  70000,
  true,
  'x',
  '',
  'actions.ts::smokeTest',
  [],
  [1, 'a'],
  {},
  { name: 'n' },
  '>=1.0,<2.0',
  '~=',
  'enum',
];

/** Every container (object or array) inside `data`, with the path to it. */
function containers(
  data: unknown,
  found: Array<Record<string, unknown> | unknown[]> = [],
): Array<Record<string, unknown> | unknown[]> {
  if (data !== null && typeof data === 'object') {
    found.push(data as Record<string, unknown>);
    for (const value of Object.values(data)) containers(value, found);
  }
  return found;
}

function mutateData(data: unknown, rng: Rng): unknown {
  const copy = structuredClone(data);
  for (let count = 1 + Math.floor(rng() * 2); count > 0; count--) {
    const target = pick(rng, containers(copy));
    const keys = Object.keys(target);
    const key = keys.length > 0 ? pick(rng, keys) : '0';
    const action = pick(rng, ['delete', 'swap', 'insert', 'nest'] as const);
    if (action === 'delete' && Array.isArray(target)) target.splice(Number(key), 1);
    else if (action === 'delete') delete (target as Record<string, unknown>)[key];
    else if (action === 'swap') (target as Record<string, unknown>)[key] = structuredClone(pick(rng, values));
    else if (action === 'insert')
      (target as Record<string, unknown>)[Array.isArray(target) ? target.length : `junk${Math.floor(rng() * 9)}`] =
        structuredClone(pick(rng, values));
    else (target as Record<string, unknown>)[key] = { nested: [(target as Record<string, unknown>)[key]] };
  }
  return copy;
}

function mutateText(text: string, rng: Rng): string {
  const at = Math.floor(rng() * text.length);
  const lines = text.split('\n');
  const line = Math.floor(rng() * lines.length);
  switch (pick(rng, ['truncate', 'insert', 'dropLine', 'indent', 'duplicateLine'] as const)) {
    case 'truncate':
      return text.slice(0, at);
    case 'insert':
      return text.slice(0, at) + pick(rng, garbage) + text.slice(at);
    case 'dropLine':
      return lines.filter((_, index) => index !== line).join('\n');
    case 'indent':
      return lines.map((content, index) => (index === line ? ` ${content}` : content)).join('\n');
    case 'duplicateLine':
      return lines.flatMap((content, index) => (index === line ? [content, content] : [content])).join('\n');
  }
}

/** Specs to mutate, and how many mutants must at least load (a valid base) for the run to mean something. */
const bases = [
  { dir: specFixture('valid-with-actions'), modules: ['actions.ts', 'helpers.ts', 'more.ts'], minLoaded: 10 },
  { dir: specFixture('original-no-actions'), modules: [], minLoaded: 10 },
  { dir: specFixture('broken'), spec: 'several-errors.yml', modules: ['actions.ts'], minLoaded: 0 },
];

afterAll(removeTempFolders);

describe('driver spec fuzzing', () => {
  it.each(bases.map((base, index) => [path.basename(base.dir), index] as const))(
    'never crashes on mutated %s specs',
    async (_name, baseIndex) => {
      const base = bases[baseIndex]!;
      const dir = await tempFolder();
      for (const module of base.modules) await copyFile(path.join(base.dir, module), path.join(dir, module));
      const original = await readFile(path.join(base.dir, base.spec ?? 'driver.styrmin.yml'), 'utf8');
      // Seeded, so a failing iteration can be replayed.
      const rng = seededRandom(20261130 + baseIndex);
      const outcomes = { loaded: 0, rejected: 0 };
      for (let iteration = 0; iteration < 150; iteration++) {
        // Decimal versions are quoted before the round trip through plain data: 1.10 must stay "1.10".
        const data = () => parse(original.replace(/: (\d+\.\d+)$/gm, ': "$1"')) as unknown;
        const text = rng() < 0.5 ? mutateText(original, rng) : stringify(mutateData(data(), rng));
        await writeFile(path.join(dir, 'driver.styrmin.yml'), text);
        try {
          const driver = await loadDriver(dir);
          for (const hook of ['setup', 'upgrade'] as const) {
            expect(planHook(driver, hook).map((step) => step.mode)).toEqual(['pre', 'core', 'post']);
            expect(Array.isArray(validateHookInput(driver.spec, hook, { targetVersion: '1.0' }).problems)).toBe(true);
          }
          outcomes.loaded++;
        } catch (error) {
          if (!(error instanceof DriverSpecError))
            throw new Error(`iteration ${iteration} crashed the loader on:\n${text}\n${String(error)}`, {
              cause: error,
            });
          expect(error.errors.length).toBeGreaterThan(0);
          for (const problem of error.problems)
            expect(formatProblem(problem)).toMatch(/^.+driver\.styrmin\.yml(:\d+:\d+)?: .+/);
          outcomes.rejected++;
        }
      }
      // The mutations must exercise both paths, or the fuzzer tests nothing.
      expect(outcomes.loaded).toBeGreaterThanOrEqual(base.minLoaded);
      expect(outcomes.rejected).toBeGreaterThan(50);
    },
  );
});
