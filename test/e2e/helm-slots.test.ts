/**
 * A worker runs at most `helmConcurrency` Helm release steps at once: with one slot, a second
 * setup's release waits until the first one's ends, and says so where an operator looks (the
 * step's heartbeat, which Temporal Web shows and `styrmin progress` prints). The test server's pods
 * take 3 s to become ready, so the first release holds its slot long enough to be seen.
 */
import type { RunResult } from '../../contract/progress.js';
import { releaseStepNow } from '../../client.js';
import { describeSimOnly } from '../support/cluster.js';
import { uniqueName } from '../support/temporal.js';
import { exampleDrivers, type EngineHarness } from '../workflows/harness.js';
import * as lifecycle from '../../workflows/hooks.js';
import { startExampleHarness, type ExampleHarness } from './example-harness.js';

let example: ExampleHarness;
let harness: EngineHarness;

beforeAll(async () => {
  example = await startExampleHarness([exampleDrivers], { testServerReadyDelayMs: 3_000 });
  harness = example.harness;
}, 120_000);
afterAll(async () => example?.close());

describeSimOnly('Helm slots (kubesim only: its pods take a set 3 s to become ready)', () => {
  it('makes a second release wait for the only slot, and shows the wait in the step’s heartbeat', async () => {
    const { client } = harness.temporal;
    const seen = new Set<string>();
    const results = await harness.withWorker(
      async (taskQueue) => {
        const start = (deploymentId: string) =>
          client.workflow.start(lifecycle.setup, {
            taskQueue,
            workflowId: `${deploymentId}/setup`,
            args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, version: '1.0.0' }],
          });
        // Both reach their release step within the 3 s the first one holds the only slot.
        const runs = [await start(uniqueName('slots')), await start(uniqueName('slots'))];
        const finished = Promise.all(runs.map((run) => run.result()));
        let done = false;
        void finished.finally(() => (done = true));
        while (!done) {
          for (const run of runs) {
            const now = await releaseStepNow(client, run.workflowId);
            if (now) seen.add(now);
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return finished;
      },
      { helmConcurrency: 1 },
    );
    expect(results.map((r: RunResult) => r.progress.status)).toEqual(['succeeded', 'succeeded']);
    expect(seen).toContain("waiting for a Helm slot: all 1 of this worker's are in use");
  }, 180_000);
});
