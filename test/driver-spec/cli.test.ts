/**
 * The `styrmin` command as operators run it: a child process, exit codes and printed output.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { brokenDriverFolder, driverFolder, removeTempFolders, repoRoot } from './helpers.js';

const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/styrmin.js ...args` from the repository root. */
async function styrmin(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/styrmin.js', ...args], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

afterAll(removeTempFolders);

describe('styrmin validate', () => {
  it('summarises every valid driver and exits 0', async () => {
    const { code, stdout, stderr } = await styrmin('validate', 'drivers/');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(
      [
        'example-app 1 (drivers/example-app): valid',
        '  app versions >=1.0,<3.0 (default 1.0.0)',
        '  chart        https://charts.example.com 1.0.0',
        '  components   server, task-worker',
        '  parameters   replicas, log_level, admin_password (secret), enable_metrics',
        '  actions      6 (setup: 2, upgrade: 4)',
        'second-app 2 (drivers/second-app): valid',
      ].join('\n'),
    );
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('2 drivers valid, 0 warnings');
  });

  it('prints every error as file:line:column: path: message and exits 1', async () => {
    const dir = await brokenDriverFolder('several-errors.yml');
    const file = path.join(dir, 'driver.styrmin.yml');
    const { code, stdout, stderr } = await styrmin('validate', dir);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      `${file}:2:7: kind: must be "ApplicationDriver", got string "Driver"`,
      `${file}:21:16: spec.parameters[0].default: default of integer parameter "replicas" must be a whole number (unquoted, e.g. 3), got true`,
      `${file}:31:18: spec.services[0].component: service "web" names component "frontend", which is not declared in spec.components (declared components: server)`,
      `${file}:38:13: spec.actions[1].hook: must be one of setup, upgrade, got string "install"`,
      'invalid: 4 errors, 0 warnings',
    ]);
  });

  it('prints warnings and still exits 0', async () => {
    const spec = `apiVersion: styrmin.io/v1\nkind: ApplicationDriver\nmetadata: { name: warned }\nspec:\n  version: "1"\n  supported_versions: ">=1.0"\n  default_version: "1.0"\n  helm: { main: { location: "oci://r/c", version: "1" } }\n  owner: team-a\n`;
    const dir = await driverFolder(spec);
    const { code, stdout, stderr } = await styrmin('validate', dir);
    expect(code).toBe(0);
    expect(stderr.trim()).toBe(
      `${path.join(dir, 'driver.styrmin.yml')}:9:3: spec.owner: warning: unknown field "owner" is ignored; known fields here: version, supported_versions, default_version, info, helm, components, parameters, services, env_vars, container_overrides, actions`,
    );
    expect(stdout).toContain('1 driver valid, 1 warning');
  });
});

describe('styrmin plan', () => {
  it('shows the modes in order with the actions side by side and the Helm step in core', async () => {
    const { code, stdout } = await styrmin('plan', 'drivers/example-app', '--hook', 'upgrade');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'upgrade of example-app 1 (drivers/example-app):',
      '1. pre (2 actions, side by side)',
      '   - stop_workers          example-app@1/stop_workers          Stop the task workers so no job runs during the migration.',
      '   - announce_maintenance  example-app@1/announce_maintenance  Tell the application a maintenance window starts.',
      '2. core',
      '   built-in Helm release step runs (no core action): chart https://charts.example.com version 1.0.0',
      '3. post (2 actions, side by side)',
      '   - migrate_and_restart  example-app@1/migrate_and_restart  Run the database migration on the server, then start the workers again.',
      '   - smoke_test_upgrade   example-app@1/smoke_test_upgrade   Check the upgraded application answers on its web service.',
    ]);
  });

  it('picks a driver from a folder of drivers, marks empty modes as skipped, prints JSON on request', async () => {
    const text = await styrmin('plan', 'drivers', '--driver', 'second-app', '--hook', 'upgrade');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/3\. post\n {3}\(no actions: skipped\)\n$/);
    const json = await styrmin(
      'plan',
      'drivers',
      '--driver',
      'second-app',
      '--driver-version',
      '2',
      '--hook',
      'setup',
      '--json',
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      driver: 'second-app',
      driverVersion: '2',
      hook: 'setup',
      modes: [
        { mode: 'pre', steps: [] },
        { mode: 'core', steps: [{ kind: 'release', name: 'helm-release' }] },
        { mode: 'post', steps: [{ kind: 'action', name: 'smoke_test', workflowType: 'second-app@2/smoke_test' }] },
      ],
    });
  });

  it('refuses an unknown hook or an ambiguous folder with a non-zero exit', async () => {
    const hook = await styrmin('plan', 'drivers/example-app', '--hook', 'install');
    expect(hook.code).not.toBe(0);
    expect(hook.stderr).toContain("argument 'install' is invalid. Allowed choices are setup, upgrade.");
    const ambiguous = await styrmin('plan', 'drivers', '--hook', 'setup');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toBe(
      'styrmin: the folder holds several drivers (example-app, second-app): choose one with --driver <name>\n',
    );
  });
});

describe('styrmin', () => {
  it('runs through npx from the repository and lists its commands in --help', async () => {
    const { stdout } = await run('npx', ['--offline', 'styrmin', '--help'], { cwd: repoRoot });
    expect(stdout).toMatch(/Usage: styrmin \[options\] \[command\]/);
    expect(stdout).toMatch(/validate <driver-dir\.\.\.>/);
    expect(stdout).toMatch(/plan \[options\] <driver-dir>/);
  });
});
