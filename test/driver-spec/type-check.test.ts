/**
 * Type-checking action modules (`styrmin validate`): TypeScript errors at their place in the
 * driver's files, with fresh parameter types; exported functions no action runs; actions whose
 * function cannot take the action input; a generated parameter file out of date.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadDriver } from '../../driver-spec/load.js';
import { parameterTypesSource } from '../../driver-spec/parameter-types.js';
import { formatProblem } from '../../driver-spec/problems.js';
import { typeCheckDriver } from '../../driver-spec/type-check.js';
import { driverFolder, removeTempFolders, repoRoot, tempFolder } from './helpers.js';

afterAll(removeTempFolders);

/** A driver with two parameters and one setup action, `actions.ts::scale`, plus `extra` actions. */
const spec = (extra = '') => `apiVersion: styrmin.io/v1
kind: ApplicationDriver
metadata: { name: typed }
spec:
  version: "1"
  supported_versions: ">=1.0"
  default_version: "1.0"
  helm: { main: { location: "oci://registry.example.com/typed", version: "1" } }
  parameters:
    - { name: replicas, kind: integer, default: 1 }
    - { name: speed, kind: enum, values: [fast, safe], default: safe }
  actions:
    - name: scale
      hook: setup
      mode: pre
      location: actions.ts::scale
${extra}`;

/** actions.ts whose `scale` reads the parameter `name`. */
const actionsReading = (name: string, more = '') => `import { log } from 'styrmin/actions';
import type { Input } from './parameters.generated.js';

export async function scale({ parameters }: Input) {
  log.info('scaling', { replicas: parameters.${name} + 1 });
}
${more}`;

/** Problems of a driver folder as validate prints them, file paths relative to the folder. */
async function problemsOf(dir: string): Promise<string[]> {
  const problems = await typeCheckDriver(await loadDriver(dir), dir);
  return problems.map((problem) => formatProblem(problem).replace(`${dir}${path.sep}`, ''));
}

/** A driver folder (under the system's temporary folder, outside this project) with its generated types. */
async function typedDriver(actions: string, specText = spec()): Promise<string> {
  const dir = await driverFolder(specText, { 'actions.ts': actions });
  await writeFile(path.join(dir, 'parameters.generated.ts'), parameterTypesSource((await loadDriver(dir)).spec));
  return dir;
}

describe('typeCheckDriver', () => {
  it('reports a misspelt parameter at its line and column with TypeScript message', async () => {
    const dir = await typedDriver(actionsReading('replica'));
    expect(await problemsOf(dir)).toEqual([
      "actions.ts:5:46: Property 'replica' does not exist on type 'Parameters'. Did you mean 'replicas'? (TS2551)",
    ]);
  });

  it('finds nothing in a driver that reads its parameters by their types', async () => {
    const actions = actionsReading(
      'replicas',
      "export const isSafe = ({ parameters }: Input) => parameters.speed === 'safe';\n",
    );
    const dir = await typedDriver(
      actions,
      spec('    - { name: check, hook: upgrade, mode: post, location: actions.ts::isSafe }\n'),
    );
    expect(await problemsOf(dir)).toEqual([]);
  });

  it('checks against types generated from the spec, not a stale file on disk, and says to regenerate it', async () => {
    const dir = await typedDriver(actionsReading('replicas'));
    // The file on disk still declares `replica`, which the spec renamed to `replicas`.
    const stale = parameterTypesSource((await loadDriver(dir)).spec).replace('replicas:', 'replica:');
    await writeFile(path.join(dir, 'parameters.generated.ts'), stale);
    await writeFile(path.join(dir, 'actions.ts'), actionsReading('replica'));
    expect(await problemsOf(dir)).toEqual([
      "actions.ts:5:46: Property 'replica' does not exist on type 'Parameters'. Did you mean 'replicas'? (TS2551)",
      `parameters.generated.ts: warning: out of date with spec.parameters: run \`styrmin driver types ${dir}\` (validate checked fresh types)`,
    ]);
  });

  it('warns when the actions import a parameters.generated.ts that is not there, and checks with fresh types', async () => {
    const dir = await driverFolder(spec(), { 'actions.ts': actionsReading('replicas') });
    expect(await problemsOf(dir)).toEqual([
      `parameters.generated.ts: warning: missing, though the actions import it: run \`styrmin driver types ${dir}\` (validate checked fresh types)`,
    ]);
  });

  it('warns about an exported function no action names, at its declaration', async () => {
    const more = 'export async function scael() {}\nexport const helper = () => 1;\nexport const limit = 3;\n';
    const dir = await typedDriver(actionsReading('replicas', more));
    expect(await problemsOf(dir)).toEqual([
      `actions.ts:7:23: warning: "scael" is exported from actions.ts but no action's location names it, so it never runs (a misspelt location, or an action missing from the spec?)`,
      `actions.ts:8:14: warning: "helper" is exported from actions.ts but no action's location names it, so it never runs (a misspelt location, or an action missing from the spec?)`,
    ]);
  });

  it("reports an action whose function cannot take the action input at the action's location in the spec", async () => {
    const more = 'export async function drain(queue: string) {\n  return queue.length;\n}\n';
    const dir = await typedDriver(
      actionsReading('replicas', more),
      spec('    - { name: drain, hook: upgrade, mode: pre, location: actions.ts::drain }\n'),
    );
    const [problem, ...others] = await problemsOf(dir);
    expect(others).toEqual([]);
    expect(problem).toMatch(
      /^driver\.styrmin\.yml:17:58: spec\.actions\[1\]\.location: action "drain": function "drain" cannot take the action input: Type '\(queue: string\) => Promise<number>' is not assignable to type 'Action'\. .*'string'.* \(TS2322\)$/,
    );
  });

  it('reports errors in the other driver files the actions import', async () => {
    const actions = `import { waitFor } from 'styrmin/actions';
import { pause } from './helpers.js';

export async function scale() {
  await waitFor(pause(), 'settle');
}
`;
    const dir = await typedDriver(actions);
    await writeFile(path.join(dir, 'helpers.ts'), 'export const pause = (): string => 5;\n');
    expect(await problemsOf(dir)).toEqual([
      "helpers.ts:1:36: Type 'number' is not assignable to type 'string'. (TS2322)",
    ]);
  });

  it('resolves @temporalio/workflow for a driver folder outside this project, as the bundle does', async () => {
    const actions = `import { ApplicationFailure } from '@temporalio/workflow';
import type { Input } from './parameters.generated.js';

export async function scale({ parameters }: Input) {
  if (parameters.replicas > 5) throw ApplicationFailure.nonRetryable(42);
}
`;
    const dir = await typedDriver(actions);
    expect(path.relative(repoRoot, dir)).toMatch(/^\.\./);
    const [problem, ...others] = await problemsOf(dir);
    expect(others).toEqual([]);
    expect(problem).toMatch(
      /^actions\.ts:5:70: Argument of type 'number' is not assignable to parameter of type 'string/,
    );
  });

  it.each(['drivers/example-app', 'drivers/second-app'])('finds nothing in %s', async (dir) => {
    expect(await typeCheckDriver(await loadDriver(path.join(repoRoot, dir)))).toEqual([]);
  });
});

/** Runs the compiled CLI (`npx tsc -b tsconfig.build.json` first) from the repository root. */
async function styrmin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['bin/styrmin.js', ...args], { cwd: repoRoot }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (failed: { code: number; stdout: string; stderr: string }) => failed,
  );
}

describe('styrmin validate type-checks actions', () => {
  it('prints a misspelt parameter as actions.ts:line:column with TypeScript message and exits 1', async () => {
    const dir = await typedDriver(actionsReading('replica'));
    const { code, stdout, stderr } = await styrmin('validate', dir);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      `${path.join(dir, 'actions.ts')}:5:46: Property 'replica' does not exist on type 'Parameters'. Did you mean 'replicas'? (TS2551)`,
      'invalid: 1 error, 0 warnings',
    ]);
  });

  it('warns about an export no action names and exits 0', async () => {
    const dir = await typedDriver(actionsReading('replicas', 'export async function scael() {}\n'));
    const { code, stdout, stderr } = await styrmin('validate', dir);
    expect(code).toBe(0);
    expect(stderr.trimEnd()).toBe(
      `${path.join(dir, 'actions.ts')}:7:23: warning: "scael" is exported from actions.ts but no action's location names it, so it never runs (a misspelt location, or an action missing from the spec?)`,
    );
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('1 driver valid, 1 warning');
  });

  it('names the files of a driver in a folder of drivers under the folder as given', async () => {
    const parent = await tempFolder();
    await mkdir(path.join(parent, 'typed'));
    await writeFile(path.join(parent, 'typed', 'driver.styrmin.yml'), spec());
    await writeFile(path.join(parent, 'typed', 'actions.ts'), actionsReading('replica'));
    const given = path.relative(repoRoot, parent);
    const { code, stderr } = await styrmin('validate', given);
    expect(code).toBe(1);
    expect(stderr).toContain(`${path.join(given, 'typed', 'actions.ts')}:5:46: Property 'replica'`);
    expect(stderr).toContain(`run \`styrmin driver types ${path.join(given, 'typed')}\``);
  });

  it('validates the example drivers clean', async () => {
    const { code, stdout, stderr } = await styrmin('validate', 'drivers/');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('2 drivers valid, 0 warnings');
  });
});
