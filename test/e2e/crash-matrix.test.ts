/**
 * The crash matrix: an upgrade of the example driver whose worker, the compiled worker in its own
 * process as operators run it, is killed with SIGKILL at one point of the run, and a new worker
 * started at once. At every point the upgrade must end as an uninterrupted one does (same
 * workloads, release, record, one migration), with the run going again within 15 s of the kill.
 * Prints each point's recovery time (docs/reliability.md keeps them). Runs on the Kubernetes API
 * test server only (kubesim only: its pods' start, stop and migration take set times, so each
 * point lasts long enough to be hit, and its exec runs the example image's command locally, which
 * notes each migration in a file the test counts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Client, WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { abortRun } from '../../client.js';
import { progressQuery } from '../../contract/messages.js';
import type { RunResult } from '../../contract/progress.js';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { processExecHandler } from '../../kubesim/exec/process-handler.js';
import { startChartRepo, type ChartRepo } from '../../runtime/chart-repository.js';
import { exampleAppExecPath, repoRoot } from '../../scripts/example-environment.js';
import { describeSimOnly } from '../support/cluster.js';
import { deploymentState, migrationLog } from '../support/example-deployment.js';
import { actionId, connectToTestServer, uniqueName, type TemporalTestConnections } from '../support/temporal.js';
import * as lifecycle from '../../workflows/hooks.js';

const compiledWorker = path.join(repoRoot, 'dist', 'worker.js');
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-crash-matrix-'));

let sim: KubeSim;
let charts: ChartRepo;
let temporal: TemporalTestConnections;
const migrations = migrationLog();

beforeAll(async () => {
  // Pods take 1.5 s to become ready and 2 s to stop, so the waits last long enough to be hit.
  sim = await startKubeSim({ readyDelayMs: 1_500, terminationDelayMs: 2_000 });
  // Migrations take 3 s, so a kill can land in one.
  const env = { EXAMPLE_APP_LOG: migrations.file, EXAMPLE_APP_MIGRATE_SECONDS: '3' };
  sim.setExecHandler(processExecHandler(60_000, { path: [exampleAppExecPath], env }));
  charts = await startChartRepo({ charts: [{ dir: path.join(repoRoot, 'drivers', 'example-app', 'chart') }] });
  temporal = await connectToTestServer();
}, 60_000);
afterAll(async () => {
  await temporal?.close();
  await charts?.close();
  await sim?.close();
});

/** A worker process of its own (its own process group, stopped as a group at the end). */
interface WorkerProcess {
  child: ChildProcess;
  /** How the worker names itself to Temporal: `<pid>@<host>`. */
  identity: string;
  exited: Promise<void>;
}

async function startWorker(taskQueue: string, name: string): Promise<WorkerProcess> {
  const log = fs.openSync(path.join(logDir, `${name}.log`), 'w');
  const child = spawn(process.execPath, [compiledWorker], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      STYRMIN_TASK_QUEUE: taskQueue,
      STYRMIN_DRIVERS: path.join(repoRoot, 'drivers'),
      STYRMIN_CHART_LOCATIONS: `example-app=${charts.url}`,
      KUBECONFIG: sim.kubeconfigPath,
    },
  });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logFile = path.join(logDir, `${name}.log`);
  for (let i = 0; i < 300 && !fs.readFileSync(logFile, 'utf8').includes('styrmin worker on'); i++) {
    if (child.exitCode !== null) throw new Error(`worker exited: ${fs.readFileSync(logFile, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, identity: `${child.pid}@${os.hostname()}`, exited };
}

async function stopWorker(worker: WorkerProcess): Promise<void> {
  try {
    process.kill(-worker.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await worker.exited;
}

/** A point of the upgrade to kill the worker at: true once the run is there. */
interface CrashPoint {
  name: string;
  reached(client: Client, deploymentId: string): Promise<boolean>;
}

async function pendingActivity(client: Client, workflowId: string, type?: string): Promise<boolean> {
  try {
    const { raw } = await client.workflow.getHandle(workflowId).describe();
    return (raw.pendingActivities ?? []).some(
      (a) => (!type || a.activityType?.name === type) && a.lastStartedTime && a.attempt === 1,
    );
  } catch {
    return false; // not started yet
  }
}

async function helmPending(namespace: string): Promise<boolean> {
  const secrets = await sim
    .kubeConfig()
    .makeApiClient(CoreV1Api)
    .listNamespacedSecret({ namespace, labelSelector: 'owner=helm,status=pending-upgrade' });
  return secrets.items.length > 0;
}

const points: CrashPoint[] = [
  {
    name: 'during a pre action, while task-worker stops',
    reached: async (client, id) =>
      pendingActivity(client, await actionId(client, `${id}/upgrade`, 'pre', 'stop_workers')),
  },
  {
    name: 'as pre ends (between modes)',
    reached: async (client, id) =>
      (await client.workflow.getHandle(`${id}/upgrade`).query(progressQuery)).modes[0]?.state === 'succeeded',
  },
  {
    name: 'during the Helm release, while helm waits for pods',
    reached: async (client, id) => (await pendingActivity(client, `${id}/upgrade`, 'releaseChart')) && helmPending(id),
  },
  {
    name: 'during the migration (a post exec)',
    reached: async (_client, id) => migrations.targetsIn(id).length > 0,
  },
  {
    name: 'during a post action, while task-worker starts again',
    reached: async (client, id) =>
      pendingActivity(
        client,
        await actionId(client, `${id}/upgrade`, 'post', 'migrate_and_restart'),
        'startComponents',
      ),
  },
];

/** What an upgrade left: workloads, release, record and migrations. */
function clusterState(namespace: string) {
  const cluster = { kubeConfig: sim.kubeConfig(), kubeconfigPath: sim.kubeconfigPath };
  return deploymentState(cluster, namespace, migrations.targetsIn(namespace));
}

/**
 * Seconds from the kill until the new worker first worked on the run: the earliest workflow or
 * activity task it started in the upgrade or one of its actions.
 */
async function recoverySeconds(client: Client, deploymentId: string, identity: string, killedAt: number) {
  const ids = [`${deploymentId}/upgrade`];
  for (const mode of ['pre', 'core', 'post'] as const) {
    const progress = await client.workflow.getHandle(`${deploymentId}/upgrade`).query(progressQuery);
    for (const action of progress.modes.find((m) => m.mode === mode)?.actions ?? [])
      if (action.workflowId) ids.push(action.workflowId);
  }
  let first = Number.POSITIVE_INFINITY;
  for (const id of ids) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    for (const event of history.events ?? []) {
      const started = event.workflowTaskStartedEventAttributes ?? event.activityTaskStartedEventAttributes;
      if (started?.identity !== identity) continue;
      const seconds = Number(event.eventTime?.seconds ?? 0) + (event.eventTime?.nanos ?? 0) / 1e9;
      first = Math.min(first, seconds * 1000);
    }
  }
  return (first - killedAt) / 1000;
}

/** Sets up a deployment, then upgrades it; `crash` may kill the worker during the upgrade and return its successor. */
async function setupThenUpgrade(
  taskQueue: string,
  worker: WorkerProcess,
  crash?: (deploymentId: string) => Promise<{ worker: WorkerProcess; killedAt: number }>,
) {
  const { client } = temporal;
  const deploymentId = uniqueName('crash');
  const setup: RunResult = await client.workflow.execute(lifecycle.setup, {
    taskQueue,
    workflowId: `${deploymentId}/setup`,
    args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, version: '1.0.0' }],
  });
  expect(setup.progress.status).toBe('succeeded');
  const upgrade = await client.workflow.start(lifecycle.upgrade, {
    taskQueue,
    workflowId: `${deploymentId}/upgrade`,
    args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, targetVersion: '2.0.0' }],
  });
  const crashed = await crash?.(deploymentId);
  const result: RunResult = await upgrade.result();
  return { deploymentId, result, crashed, worker: crashed?.worker ?? worker };
}

describeSimOnly('crash matrix (kubesim only: pod timing set, migrations counted through its exec)', () => {
  let taskQueue: string;
  let worker: WorkerProcess;
  let baseline: Awaited<ReturnType<typeof clusterState>>;

  beforeAll(async () => {
    taskQueue = uniqueName('crash-matrix');
    worker = await startWorker(taskQueue, 'baseline');
    const run = await setupThenUpgrade(taskQueue, worker);
    expect(run.result.progress.status).toBe('succeeded');
    baseline = await clusterState(run.deploymentId);
    expect(baseline).toMatchObject({ record: { status: 'deployed', appVersion: '2.0.0' }, migrations: 1 });
  }, 120_000);
  afterAll(async () => {
    if (worker) await stopWorker(worker);
  });

  it.each(points.map((p) => [p.name, p] as const))(
    'an upgrade whose worker is killed %s ends as an uninterrupted one would, going again within 15 s',
    async (name, point) => {
      const { client } = temporal;
      const run = await setupThenUpgrade(taskQueue, worker, async (deploymentId) => {
        for (let i = 0; !(await point.reached(client, deploymentId).catch(() => false)); i++) {
          if (i > 600) throw new Error(`the upgrade never got ${name}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        // The worker alone, as the OOM killer would: helm, a child of its own, must stop by itself.
        process.kill(worker.child.pid!, 'SIGKILL');
        const killedAt = Date.now();
        await worker.exited;
        const next = await startWorker(taskQueue, `after-${deploymentId}`);
        await stopWorker(worker); // whatever of the old group is left
        return { worker: next, killedAt };
      });
      worker = run.worker;
      const recovery = await recoverySeconds(client, run.deploymentId, worker.identity, run.crashed!.killedAt);
      const state = await clusterState(run.deploymentId);
      console.log(`crash matrix, killed ${name}: recovered in ${recovery.toFixed(1)} s; ${state.migrations} migration`);
      expect(run.result.progress.status).toBe('succeeded');
      expect(state).toEqual(baseline);
      expect(recovery).toBeLessThan(15);
    },
    180_000,
  );
});

/**
 * An upgrade that waits for a decision after its migration failed, then is aborted: ends failed,
 * with the task-worker pre stopped put back. Kills the worker (as `crash` says) while the run
 * waits and again while it puts the task-worker back.
 */
async function abortedUpgrade(taskQueue: string, worker: WorkerProcess, crash: boolean) {
  const { client } = temporal;
  const deploymentId = uniqueName(crash ? 'abort-crash' : 'abort');
  await client.workflow.execute(lifecycle.setup, {
    taskQueue,
    workflowId: `${deploymentId}/setup`,
    args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, version: '1.0.0' }],
  });
  const upgrade = await client.workflow.start(lifecycle.upgrade, {
    taskQueue,
    workflowId: `${deploymentId}/upgrade`,
    args: [
      { deploymentId, driver: 'example-app', namespace: deploymentId, targetVersion: '2.0.0', onActionFailure: 'wait' },
    ],
  });
  const kill = async (name: string) => {
    process.kill(worker.child.pid!, 'SIGKILL');
    await worker.exited;
    const next = await startWorker(taskQueue, `${name}-${deploymentId}`);
    await stopWorker(worker);
    worker = next;
  };
  const waitFor = async (what: string, reached: () => Promise<boolean>) => {
    for (let i = 0; !(await reached().catch(() => false)); i++) {
      if (i > 600) throw new Error(`the upgrade never got ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await waitFor('to wait for a decision', async () => (await upgrade.query(progressQuery)).status === 'waiting');
  if (crash) await kill('while-waiting');
  await abortRun(client, upgrade.workflowId, { reason: 'migration broken', by: 'oncall' });
  if (crash) {
    await waitFor('to put back the task-worker', () => pendingActivity(client, upgrade.workflowId, 'startComponents'));
    await kill('during-compensation');
  }
  const failure = await upgrade.result().then(
    () => undefined,
    (err: unknown) => err as WorkflowFailedError,
  );
  const progress = await upgrade.query(progressQuery);
  return { deploymentId, failure, progress, worker };
}

describeSimOnly('crash during decisions (kubesim only: the migration fails through its exec, pod timing set)', () => {
  it('a worker killed while a run waits for a decision, and again while it puts back what it stopped: the run ends as without the crashes', async () => {
    const taskQueue = uniqueName('crash-decisions');
    let worker = await startWorker(taskQueue, 'decisions');
    const env = { EXAMPLE_APP_LOG: migrations.file, EXAMPLE_APP_MIGRATE_SECONDS: '1', EXAMPLE_APP_MIGRATE_EXIT: '3' };
    sim.setExecHandler(processExecHandler(60_000, { path: [exampleAppExecPath], env }));
    try {
      const calm = await abortedUpgrade(taskQueue, worker, false);
      const crashed = await abortedUpgrade(taskQueue, calm.worker, true);
      worker = crashed.worker;
      for (const run of [calm, crashed]) {
        expect((run.failure?.cause as ApplicationFailure).type).toBe('RunAborted');
        expect(run.progress.putBack).toEqual(['task-worker (Deployment task-worker, 1 replica)']);
      }
      const account = (run: typeof calm) => run.progress.left!.replaceAll(run.deploymentId, '<id>');
      expect(account(crashed)).toBe(account(calm));
      const left = await clusterState(crashed.deploymentId);
      expect(left).toEqual(await clusterState(calm.deploymentId));
      expect(left.workloads).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'task-worker', replicas: 1, ready: 1, stopped: undefined }),
        ]),
      );
    } finally {
      sim.setExecHandler(
        processExecHandler(60_000, {
          path: [exampleAppExecPath],
          env: { EXAMPLE_APP_LOG: migrations.file, EXAMPLE_APP_MIGRATE_SECONDS: '3' },
        }),
      );
      await stopWorker(worker);
    }
  }, 240_000);
});
