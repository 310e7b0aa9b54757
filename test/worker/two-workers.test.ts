/**
 * More than one worker: two worker processes on one task queue share the runs, and when one is
 * killed mid-run (SIGKILL, no draining) the other finishes every run. Workers keep no state of
 * their own; Temporal hands the dead worker's tasks to the living one.
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { connectClient, startSetup, waitForRun } from '../../client.js';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { uniqueName } from '../support/temporal.js';
import { started, startWorker, type WorkerProcess } from '../support/worker-process.js';

const labTwin = fileURLToPath(new URL('../fixtures/drivers/lab-twin', import.meta.url));

/** The identity the SDK gives a worker process by default, as histories record it. */
function identity(worker: WorkerProcess): string {
  return `${worker.child.pid}@${hostname()}`;
}

/** Which workers started tasks of each run and of its actions (children), by run. */
async function workersOf(client: Client, workflowIds: string[]): Promise<Map<string, Set<string>>> {
  const byRun = new Map<string, Set<string>>();
  for (const workflowId of workflowIds) {
    const seen = new Set<string>();
    const visit = async (id: string) => {
      const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
      for (const e of events) {
        const who = e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
        if (who) seen.add(who);
        const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
        if (child && !child.endsWith('/lock')) await visit(child);
      }
    };
    await visit(workflowId);
    byRun.set(workflowId, seen);
  }
  return byRun;
}

// The runs need a cluster for their namespaces and records: a Kubernetes API test server of their
// own, on both tiers, since what is tested here is how workers share runs.
describe('two workers on one task queue', () => {
  let sim: KubeSim;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    sim = await startKubeSim();
  });
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await sim?.close();
  });

  it('share the runs, and the survivor finishes every run when the other is killed mid-run', async () => {
    const taskQueue = uniqueName('two-workers');
    const env = { STYRMIN_DRIVERS: labTwin, STYRMIN_TASK_QUEUE: taskQueue, KUBECONFIG: sim.kubeconfigPath };
    const [doomed, survivor] = [startWorker(env), startWorker(env)];
    workers.push(doomed, survivor);
    await Promise.all([started(doomed), started(survivor)]);

    const client = await connectClient();
    try {
      const deploymentIds = Array.from({ length: 8 }, () => uniqueName('shared'));
      const runs = await Promise.all(
        deploymentIds.map((deploymentId) =>
          startSetup(
            client,
            { deploymentId, driver: 'lab-twin', namespace: deploymentId },
            { taskQueue, workflowId: `${deploymentId}/setup` },
          ),
        ),
      );
      const runIds = runs.map((run) => run.workflowId);
      // Killed as soon as it has taken work: a run takes more than a second (a durable timer), so
      // what it took is unfinished.
      for (let i = 0; i < 100; i++) {
        const seen = await workersOf(client, runIds);
        if ([...seen.values()].some((workers) => workers.has(identity(doomed)))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      doomed.child.kill('SIGKILL');

      const results = await Promise.all(runIds.map((id) => waitForRun(client, id)));
      expect(results.map((r) => r.progress.status)).toEqual(runIds.map(() => 'succeeded'));
      const seen = await workersOf(client, runIds);
      const all = new Set([...seen.values()].flatMap((workers) => [...workers]));
      expect([...all].sort()).toEqual([identity(doomed), identity(survivor)].sort());
      // A run the killed worker had begun went on with the survivor.
      expect([...seen.values()].some((w) => w.has(identity(doomed)) && w.has(identity(survivor)))).toBe(true);
    } finally {
      await client.connection.close();
    }
  }, 120_000);
});
