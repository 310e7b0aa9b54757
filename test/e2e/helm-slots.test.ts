/**
 * A worker runs at most `helmConcurrency` Helm release steps at once: with one slot, a second
 * setup's release waits until the first one's ends, and says so where an operator looks (the
 * step's heartbeat, which Temporal Web shows and `styrmin progress` prints). The test server's pods
 * take 3 s to become ready, so the first release holds its slot long enough to be seen.
 */
import type { RunResult } from '../../contract/progress.js';
import { releaseStepNow } from '../../client.js';
import { startExampleEnvironment, type ExampleEnvironment } from '../../scripts/example-environment.js';
import { describeSimOnly } from '../support/cluster.js';
import { uniqueName } from '../support/temporal.js';
import { exampleDrivers, startHarness, type EngineHarness } from '../workflows/harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let environment: ExampleEnvironment;
let harness: EngineHarness;

beforeAll(async () => {
  environment = await startExampleEnvironment({ useConfiguredCluster: false, readyDelayMs: 3_000 });
  harness = await startHarness([exampleDrivers], {
    kubeConfig: environment.kubeConfig,
    defaults: { chartLocations: { 'example-app': environment.chartRepositoryUrl } },
  });
}, 120_000);
afterAll(async () => {
  await harness?.close();
  await environment?.close();
});

describeSimOnly('Helm slots (kubesim only: its pods take a set 3 s to become ready)', () => {
  it('makes a second release wait for the only slot, and shows the wait in the step’s heartbeat', async () => {
    const { client } = harness.temporal;
    const states: string[] = [];
    const results = await harness.withWorker(
      async (taskQueue) => {
        const start = (deploymentId: string) =>
          client.workflow.start(lifecycle.setup, {
            taskQueue,
            workflowId: `${deploymentId}/setup`,
            args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, version: '1.0.0' }],
          });
        const first = await start(uniqueName('slots'));
        // The first release step holds the slot from its first heartbeat on.
        while (!(await releaseStepNow(client, first.workflowId)))
          await new Promise((resolve) => setTimeout(resolve, 100));
        const second = await start(uniqueName('slots'));
        const finished = Promise.all([first.result(), second.result()]);
        let done = false;
        void finished.finally(() => (done = true));
        while (!done) {
          const now = await releaseStepNow(client, second.workflowId);
          if (now && states.at(-1) !== now) states.push(now);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return finished;
      },
      { helmConcurrency: 1 },
    );
    expect(results.map((r: RunResult) => r.progress.status)).toEqual(['succeeded', 'succeeded']);
    expect(states[0]).toBe("waiting for a Helm slot: all 1 of this worker's are in use");
  }, 180_000);
});
