/**
 * A run's history names drivers by name and version only: a run started by a worker whose
 * drivers live in one folder finishes on a worker whose drivers live in another, after the first
 * folder is gone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadDrivers } from '../../driver-spec/load.js';
import { progressQuery } from '../../contract/messages.js';
import type { RunResult } from '../../contract/progress.js';
import { readDeploymentRecord } from '../../activities/record/store.js';
import { bundleLifecycleWorkflows } from '../../runtime/bundle.js';
import { createStyrminWorker } from '../../runtime/styrmin-worker.js';
import { uniqueName } from '../support/temporal.js';
import { exampleDrivers } from '../workflows/harness.js';
import { startExampleHarness, type ExampleHarness } from './example-harness.js';
import * as lifecycle from '../../workflows/hooks.js';

/** Every payload in `value` (a history, say) decoded to JSON, one per line. */
function decodedPayloads(value: unknown): string {
  if (Array.isArray(value)) return value.map(decodedPayloads).join('');
  if (typeof value !== 'object' || value === null) return '';
  const fields = value as Record<string, unknown>;
  if (fields.data instanceof Uint8Array && typeof fields.metadata === 'object') {
    return `${JSON.stringify(defaultPayloadConverter.fromPayload(fields as Payload))}\n`;
  }
  return Object.values(fields).map(decodedPayloads).join('');
}

/** A copy of the example drivers in a folder of its own. */
function copyDrivers(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-drivers-'));
  fs.cpSync(exampleDrivers, dir, { recursive: true });
  return dir;
}

const firstFolder = copyDrivers();
const secondFolder = copyDrivers();
let example: ExampleHarness;
beforeAll(async () => {
  example = await startExampleHarness([firstFolder]);
}, 120_000);
afterAll(async () => {
  await example?.close();
  for (const dir of [firstFolder, secondFolder]) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a run resumed on another worker', () => {
  it('completes an upgrade on a worker whose drivers folder is elsewhere, with no worker path in history', async () => {
    const { harness, environment } = example;
    const { client } = harness.temporal;
    const deploymentId = uniqueName('moved');
    const namespace = deploymentId;
    await harness.withWorker((taskQueue) =>
      client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [{ deploymentId, driver: 'example-app', namespace, version: '1.0.0' }],
      }),
    );

    const taskQueue = uniqueName('moved-queue');
    const handle = await client.workflow.start(lifecycle.upgrade, {
      taskQueue,
      workflowId: `${deploymentId}/upgrade`,
      args: [{ deploymentId, driver: 'example-app', namespace, targetVersion: '2.0.0' }],
    });
    // The first worker stops while pre runs (announce_maintenance waits on a 2 s timer) ...
    await harness.withWorker(
      async () => {
        while ((await handle.query(progressQuery)).modes[0]!.actions.length < 2)
          await new Promise((r) => setTimeout(r, 100));
      },
      { taskQueue },
    );
    fs.rmSync(firstFolder, { recursive: true, force: true });

    // ... and a worker that loaded the same driver revision from another folder finishes the run.
    const drivers = await loadDrivers([secondFolder]);
    const second = await createStyrminWorker({
      connection: harness.temporal.nativeConnection,
      client,
      taskQueue,
      drivers,
      workflowBundle: await bundleLifecycleWorkflows(drivers),
      kubeConfig: harness.kubeConfig,
      defaults: { chartLocations: { 'example-app': environment.chartRepositoryUrl } },
    });
    const result: RunResult = await second.runUntil(handle.result());
    expect(result.progress.modes.map((m) => m.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(await readDeploymentRecord(environment.kubeConfig, { deploymentId, namespace })).toMatchObject({
      appVersion: '2.0.0',
    });

    const history = decodedPayloads((await handle.fetchHistory()).events);
    expect(history).toContain('"example-app"');
    expect(history).not.toContain(os.tmpdir());
  });
});
