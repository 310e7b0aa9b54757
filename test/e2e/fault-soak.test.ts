/**
 * The fault soak: whole setup+upgrade runs of the example driver while 20 % of the Kubernetes API
 * requests fail, one kind of fault at a time (500, 503, 429, dropped connections; 500s and drops
 * on writes strike after the write was carried out, as when an answer is lost). Every pair must
 * end as it would without faults: both runs succeeded, the live release at app 2.0.0, the
 * workloads back at their replicas, the record deployed at 2.0.0 and the migration run once.
 * Prints its figures (docs/reliability.md keeps them). Runs on the Kubernetes API test server
 * only (kubesim only: the faults come from its fault hook).
 */
import type { ChaosFaults } from '../../kubesim/index.js';
import { processExecHandler } from '../../kubesim/exec/process-handler.js';
import { exampleAppExecPath, type ExampleEnvironment } from '../../scripts/example-environment.js';
import type { RunResult } from '../../contract/progress.js';
import { describeSimOnly } from '../support/cluster.js';
import { deploymentState, helmHistory, migrationLog } from '../support/example-deployment.js';
import { uniqueName } from '../support/temporal.js';
import { exampleDrivers, type EngineHarness } from '../workflows/harness.js';
import * as lifecycle from '../../workflows/hooks.js';
import { startExampleHarness, type ExampleHarness } from './example-harness.js';

const rate = 0.2;
const pairsPerKind = 3;
const kinds: Record<string, ChaosFaults['faults']> = {
  '500': [{ status: 500 }],
  '503': [{ status: 503 }],
  '429': [{ status: 429 }],
  'dropped connection': ['drop'],
};

let example: ExampleHarness;
let environment: ExampleEnvironment;
let harness: EngineHarness;
const migrations = migrationLog();

beforeAll(async () => {
  example = await startExampleHarness([exampleDrivers], { testServerReadyDelayMs: 200 });
  ({ environment, harness } = example);
  const env = { EXAMPLE_APP_LOG: migrations.file };
  environment.sim!.setExecHandler(processExecHandler(60_000, { path: [exampleAppExecPath], env }));
}, 120_000);
afterAll(async () => example?.close());

/** One setup then one upgrade of a new deployment; resolves with how each ended. */
async function pair(taskQueue: string): Promise<{ namespace: string; setup: string; upgrade: string }> {
  const deploymentId = uniqueName('soak');
  const { client } = harness.temporal;
  const run = async (start: () => Promise<RunResult>) =>
    start().then(
      (result) => result.progress.status,
      (err: Error) => `failed: ${(err.cause as Error | undefined)?.message ?? err.message}`,
    );
  const setup = await run(() =>
    client.workflow.execute(lifecycle.setup, {
      taskQueue,
      workflowId: `${deploymentId}/setup`,
      args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, version: '1.0.0' }],
    }),
  );
  const upgrade = await run(() =>
    client.workflow.execute(lifecycle.upgrade, {
      taskQueue,
      workflowId: `${deploymentId}/upgrade`,
      args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, targetVersion: '2.0.0' }],
    }),
  );
  return { namespace: deploymentId, setup, upgrade };
}

async function failedRevisionsOf(namespace: string): Promise<string[]> {
  const history = await helmHistory(environment, namespace);
  return history.filter((r) => r.status === 'failed').map((r) => r.description.slice(0, 300));
}

/** What a finished pair left in the cluster, read without faults. */
function clusterState(namespace: string) {
  return deploymentState(environment, namespace, migrations.targetsIn(namespace));
}

describeSimOnly('fault soak (kubesim only: the faults come from its fault hook)', () => {
  /** What a pair leaves without faults. */
  let baseline: Awaited<ReturnType<typeof clusterState>>;

  beforeAll(async () => {
    const started = Date.now();
    const outcome = await harness.withWorker((taskQueue) => pair(taskQueue));
    expect(outcome).toMatchObject({ setup: 'succeeded', upgrade: 'succeeded' });
    baseline = await clusterState(outcome.namespace);
    expect(baseline).toMatchObject({ record: { status: 'deployed', appVersion: '2.0.0' }, migrations: 1 });
    console.log(`fault soak, no faults: 1 pair in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 120_000);

  it.each(Object.keys(kinds))(
    `${pairsPerKind} setup+upgrade pairs complete correctly while ${rate * 100} %% of API requests fail with %s`,
    async (kind) => {
      const sim = environment.sim!;
      const started = Date.now();
      const outcomes = await harness.withWorker(async (taskQueue) => {
        sim.faults.chaos({ rate, faults: kinds[kind]!, afterWrites: true, seed: 11 });
        try {
          return await Promise.all(Array.from({ length: pairsPerKind }, () => pair(taskQueue)));
        } finally {
          sim.faults.clear();
        }
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const injected = { ...sim.faults.chaosCounts };
      for (const key of Object.keys(sim.faults.chaosCounts)) delete sim.faults.chaosCounts[key];
      const states = await Promise.all(outcomes.map((o) => clusterState(o.namespace)));
      // Failed Helm revisions the runs got past (a release step attempt that failed and was retried).
      const failedRevisions = await Promise.all(outcomes.map((o) => failedRevisionsOf(o.namespace)));
      const correct = outcomes.filter((o) => o.setup === 'succeeded' && o.upgrade === 'succeeded').length;
      console.log(
        `fault soak, ${rate * 100} % ${kind}: ${correct}/${pairsPerKind} pairs correct in ${seconds} s; faults injected: ${JSON.stringify(injected)}; failed Helm revisions retried past: ${JSON.stringify(failedRevisions.flat())}`,
      );
      expect(outcomes.map(({ setup, upgrade }) => ({ setup, upgrade }))).toEqual(
        outcomes.map(() => ({ setup: 'succeeded', upgrade: 'succeeded' })),
      );
      // The cluster is as an uninterrupted pair leaves it, apart from the namespace.
      for (const state of states) expect(state).toEqual(baseline);
    },
    600_000,
  );
});
