/**
 * A driver without `spec.default_version`, as Styrmin's format allows: it loads, a setup without
 * a version fails at once saying to give one, and with versions given it sets up and upgrades.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { RunResult } from '../../contract/progress.js';
import { uniqueName } from '../support/temporal.js';
import { exampleDrivers } from '../workflows/harness.js';
import { startExampleHarness, type ExampleHarness } from './example-harness.js';
import * as lifecycle from '../../workflows/hooks.js';

/** The example driver without its default_version line, in a folder of its own. */
function driverWithoutDefault(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-no-default-'));
  fs.cpSync(path.join(exampleDrivers, 'example-app'), path.join(dir, 'example-app'), { recursive: true });
  const specFile = path.join(dir, 'example-app', 'driver.styrmin.yml');
  const spec = fs.readFileSync(specFile, 'utf8');
  fs.writeFileSync(specFile, spec.replace(/^\s+default_version:.*\n/m, ''));
  return dir;
}

const driversDir = driverWithoutDefault();
let example: ExampleHarness;
beforeAll(async () => {
  example = await startExampleHarness([driversDir]);
}, 120_000);
afterAll(async () => {
  await example?.close();
  fs.rmSync(driversDir, { recursive: true, force: true });
});

describe('a driver without default_version', () => {
  it('loads, refuses a setup without a version, then sets up and upgrades with versions given', async () => {
    const { harness } = example;
    expect(harness.drivers.map((d) => [d.name, d.spec.spec.default_version])).toEqual([['example-app', undefined]]);
    const { client } = harness.temporal;
    const deploymentId = uniqueName('nodefault');
    const input = { deploymentId, driver: 'example-app', namespace: deploymentId };
    await harness.withWorker(async (taskQueue) => {
      const refused = await client.workflow
        .execute(lifecycle.setup, { taskQueue, workflowId: `${deploymentId}/setup-refused`, args: [input] })
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(WorkflowFailedError);
      const failure = (refused as WorkflowFailedError).cause as ApplicationFailure;
      expect(failure.type).toBe('InvalidInput');
      expect(failure.message).toContain('"version" is required');

      await client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [{ ...input, version: '1.0.0' }],
      });
      const upgrade: RunResult = await client.workflow.execute(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [{ ...input, targetVersion: '2.0.0' }],
      });
      expect(upgrade.versions).toEqual({ current: '1.0.0', target: '2.0.0' });
      expect(upgrade.progress.status).toBe('succeeded');
    });
  });
});
