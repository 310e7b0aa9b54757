/**
 * What an operator types: `temporal workflow start --type setup ...` with the real Temporal CLI,
 * `styrmin setup --wait`, `styrmin progress` and `styrmin status`. `styrmin` is bin/styrmin.js,
 * which runs the compiled CLI in dist/ (built by scripts/test.sh and npm test).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { temporalCli } from '../../runtime/temporal-cli.js';
import type { RunResult } from '../../contract/progress.js';
import { repo, styrmin } from '../support/styrmin-cli.js';
import { uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from '../workflows/harness.js';

const run = promisify(execFile);

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

describe('operator commands', () => {
  it('starts a setup with the Temporal CLI exactly as the README shows', async () => {
    const deploymentId = uniqueName('cli');
    await harness.withWorker(async (taskQueue) => {
      const input = JSON.stringify({
        deploymentId,
        driver: 'lab-app',
        namespace: 'lab-cli',
        version: '1.0.0',
        parameters: { owner: 'ops' },
      });
      const address = process.env.TEMPORAL_ADDRESS!;
      await run(temporalCli(), [
        'workflow',
        'start',
        '--address',
        address,
        '--task-queue',
        taskQueue,
        '--type',
        'setup',
        '--workflow-id',
        `${deploymentId}/setup`,
        '--input',
        input,
      ]);
      const result: RunResult = await harness.temporal.client.workflow.getHandle(`${deploymentId}/setup`).result();
      expect(result.progress.status).toBe('succeeded');
      const query = await run(temporalCli(), [
        'workflow',
        'query',
        '--address',
        address,
        '--workflow-id',
        `${deploymentId}/setup`,
        '--name',
        'progress',
        '--output',
        'json',
      ]);
      expect(query.stdout).toContain('"status": "succeeded"');
    });
  });

  it('runs a setup with `styrmin setup --wait`, shows progress, and reads the record with `styrmin status`', async () => {
    const deploymentId = uniqueName('styrmin');
    await harness.withWorker(async (taskQueue) => {
      const env = {
        TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!,
        STYRMIN_TASK_QUEUE: taskQueue,
        KUBECONFIG: harness.sim?.kubeconfigPath ?? process.env.STYRMIN_TEST_KUBECONFIG!,
      };
      const input = JSON.stringify({
        deploymentId,
        driver: 'lab-app',
        namespace: 'lab-cli',
        parameters: { owner: 'ops' },
      });
      const setup = await styrmin(['setup', '--input', input, '--wait'], env);
      expect(setup.code).toBe(0);
      expect(setup.stdout).toContain(`started setup ${deploymentId}/setup`);
      expect(setup.stdout).toMatch(/pre\s+succeeded/);
      expect(setup.stdout).toMatch(/prepare_a\s+succeeded/);

      const progress = await styrmin(['progress', `${deploymentId}/setup`, '--json'], env);
      expect(JSON.parse(progress.stdout)).toMatchObject({ deploymentId, hook: 'setup', status: 'succeeded' });

      // The same connection from a profile of a TOML file, as the Temporal CLI reads it.
      const dir = mkdtempSync(path.join(tmpdir(), 'styrmin-profile-'));
      try {
        const profiles = path.join(dir, 'temporal.toml');
        writeFileSync(profiles, `[profile.lab]\naddress = "${process.env.TEMPORAL_ADDRESS}"\nnamespace = "default"\n`);
        const fromProfile = await styrmin(['progress', `${deploymentId}/setup`, '--json'], {
          TEMPORAL_ADDRESS: undefined,
          TEMPORAL_CONFIG_FILE: profiles,
          TEMPORAL_PROFILE: 'lab',
        });
        expect(fromProfile.stderr).toBe('');
        expect(JSON.parse(fromProfile.stdout)).toMatchObject({ deploymentId, status: 'succeeded' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      const status = await styrmin(['status', deploymentId, '-n', 'lab-cli'], env);
      expect(status.stdout).toContain(`${deploymentId} in namespace lab-cli: deployed`);
      expect(status.stdout).toContain('driver lab-app@1, application 1.0.0');

      const failing = await styrmin(
        [
          'upgrade',
          '--input',
          JSON.stringify({ deploymentId, driver: 'lab-app', namespace: 'lab-cli', targetVersion: '0.9.0' }),
          '--wait',
        ],
        env,
      );
      expect(failing.code).toBe(1);
      expect(failing.stderr).toContain('upgrade failed:');
    });
  });
});

describe('bin/styrmin.js', () => {
  it('says to run `npm run build` when the CLI is not built', async () => {
    const checkout = mkdtempSync(path.join(tmpdir(), 'styrmin-unbuilt-'));
    try {
      mkdirSync(path.join(checkout, 'bin'));
      copyFileSync(path.join(repo, 'bin', 'styrmin.js'), path.join(checkout, 'bin', 'styrmin.js'));
      writeFileSync(path.join(checkout, 'package.json'), '{"type": "module"}');
      const outcome = await styrmin(['--version'], {}, path.join(checkout, 'bin', 'styrmin.js'));
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toBe(
        'styrmin: the CLI is not built (no dist/cli/main.js): run `npm run build` in the Styrmin folder\n',
      );
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
