/**
 * A driver author's first minutes, as the commands run them: `styrmin driver init`, `styrmin
 * validate` and `styrmin driver test` on a new driver in a folder outside the project, then the
 * same harness on the example driver. `driver test` starts its own dev server, and runs on the
 * Kubernetes API test server, or on the real control plane when STYRMIN_TEST_KUBECONFIG names it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repo, styrmin } from '../support/styrmin-cli.js';

const run = promisify(execFile);

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'styrmin-authoring-'));
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

/** node:test's closing counts, e.g. { pass: 3, fail: 0 }. */
function counts(output: string): { pass?: number; fail?: number } {
  const count = (name: string) =>
    Number(new RegExp(`^ℹ ${name} (\\d+)$|^# ${name} (\\d+)$`, 'm').exec(output)?.slice(1).find(Boolean));
  return { pass: count('pass'), fail: count('fail') };
}

describe('a new driver', () => {
  it('is created by driver init, validates, and passes its own tests: a setup and an upgrade on the test server', async () => {
    // As an author runs them, from the folder that is to hold the driver.
    const inWorkspace = (...args: string[]) => styrmin(args, {}, 'bin/styrmin.js', workspace);
    const acme = path.join(workspace, 'acme');
    const init = await inWorkspace('driver', 'init', 'acme');
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect((await readdir(acme, { recursive: true })).sort()).toEqual([
      'acme.test.ts',
      'actions.ts',
      'chart',
      'chart/Chart.yaml',
      'chart/templates',
      'chart/templates/web.yaml',
      'chart/templates/worker.yaml',
      'chart/values.yaml',
      'driver.styrmin.yml',
      'package.json',
      'parameters.generated.ts',
      'tsconfig.json',
      'values.j2.yml',
    ]);
    // Editors find the schema shipped with Styrmin.
    const spec = await readFile(path.join(acme, 'driver.styrmin.yml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(spec)?.[1];
    expect(path.resolve(acme, schema!)).toBe(path.join(repo, 'driver-spec/schema.json'));

    // Editors (and tsc) check the actions and the test with the driver's tsconfig.json.
    const tsc = await run(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', acme]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(tsc).toMatchObject({ code: 0, stdout: '' });

    const validate = await inWorkspace('validate', 'acme');
    expect(validate).toMatchObject({ code: 0, stderr: '' });
    expect(validate.stdout).toContain('acme 1 (acme): valid');

    const test = await inWorkspace('driver', 'test', 'acme');
    expect(counts(test.stdout)).toEqual({ pass: 3, fail: 0 });
    expect(test.code).toBe(0);
  });

  it('fails driver test when its own test fails, naming the test', async () => {
    const broken = path.join(workspace, 'broken');
    expect((await styrmin(['driver', 'init', broken], {})).code).toBe(0);
    const testFile = path.join(broken, 'broken.test.ts');
    const source = await readFile(testFile, 'utf8');
    await writeFile(
      testFile,
      source.replace(
        "assert.equal(setup.record?.appVersion, '1.0.0');",
        "assert.equal(setup.record?.appVersion, '9.9.9');",
      ),
    );
    const test = await styrmin(['driver', 'test', broken], {});
    expect(test.code).toBe(1);
    expect(counts(test.stdout)).toMatchObject({ fail: 1 });
    expect(test.stdout).toContain('setup installs every component, with the replicas asked for');
  });

  it('fails validate with file and line when actions.ts misspells a parameter', async () => {
    const typo = path.join(workspace, 'typo');
    expect((await styrmin(['driver', 'init', typo], {})).code).toBe(0);
    const actionsFile = path.join(typo, 'actions.ts');
    const source = await readFile(actionsFile, 'utf8');
    await writeFile(actionsFile, source.replace('replicas: parameters.replicas', 'replicas: parameters.replica'));
    const line = source.split('\n').findIndex((l) => l.includes('replicas: parameters.replicas')) + 1;
    const validate = await styrmin(['validate', typo], {});
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(new RegExp(`actions\\.ts:${line}:\\d+: .*'replica' does not exist`));
  });

  it('is refused in a folder that is not empty, or under a name that cannot name a driver', async () => {
    const taken = await styrmin(['driver', 'init', path.join(workspace, 'acme')], {});
    expect(taken).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is not empty: give a new or empty folder'),
    });
    const badName = await styrmin(['driver', 'init', path.join(workspace, 'Bad_Name')], {});
    expect(badName).toMatchObject({ code: 1, stderr: expect.stringContaining('"Bad_Name" cannot name a driver') });
  });
});

describe('the example driver', () => {
  it('passes its own tests with the same harness: setup, upgrade with the migration, a refused input', async () => {
    const test = await styrmin(['driver', 'test', 'drivers/example-app'], {});
    expect(counts(test.stdout)).toEqual({ pass: 3, fail: 0 });
    expect(test.code).toBe(0);
  });
});
