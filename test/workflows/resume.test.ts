/** A run whose worker goes away mid-mode finishes on the next worker, each action run once. */
import { createStyrminWorker } from '../../runtime/styrmin-worker.js';
import { progressQuery } from '../../contract/messages.js';
import type { RunResult } from '../../contract/progress.js';
import { actionId, uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

function worker(taskQueue: string) {
  return createStyrminWorker({
    connection: harness.temporal.nativeConnection,
    client: harness.temporal.client,
    taskQueue,
    drivers: harness.drivers,
    workflowBundle: harness.bundle,
    kubeConfig: harness.kubeConfig,
  });
}

describe('worker restarts', () => {
  it('resumes a run on a new worker after the first one stopped in the middle of a mode', async () => {
    const deploymentId = uniqueName('resume');
    const taskQueue = uniqueName('resume-queue');
    const { client } = harness.temporal;
    const handle = await client.workflow.start(lifecycle.setup, {
      taskQueue,
      workflowId: `${deploymentId}/setup`,
      args: [
        {
          deploymentId,
          driver: 'lab-app',
          namespace: 'lab',
          parameters: { owner: 'ops' },
          config: { delays: { prepare_a: 3000 } },
        },
      ],
    });
    const first = await worker(taskQueue);
    await first.runUntil(async () => {
      while ((await handle.query(progressQuery)).modes[0]!.actions.length < 5)
        await new Promise((r) => setTimeout(r, 100));
    });

    // A new worker has no cache: it rebuilds the run from its history and carries on.
    const second = await worker(taskQueue);
    const result: RunResult = await second.runUntil(handle.result());
    expect(result.progress.modes.map((m) => m.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(result.progress.modes[0]!.actions.every((a) => a.attempts === 1)).toBe(true);
    const prepareA = await actionId(client, `${deploymentId}/setup`, 'pre', 'prepare_a');
    const { historyLength } = await client.workflow.getHandle(prepareA).describe();
    expect(historyLength).toBeGreaterThan(0);
  });
});
