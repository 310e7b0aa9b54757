/**
 * The example driver's upgrade end to end: from the moment `stop_workers` has stopped the
 * task-worker until `migrate_and_restart` starts, no task-worker pod runs and its Deployment
 * desires none, though the release step in between upgrades a chart that says `replicas: 2`.
 * Afterwards the task-worker is back at its replicas. Runs against STYRMIN_TEST_KUBECONFIG's
 * cluster when set.
 */
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { RunResult, ModeProgress } from '../../contract/progress.js';
import { uniqueName } from '../support/temporal.js';
import { exampleDrivers, type EngineHarness } from '../workflows/harness.js';
import { startExampleHarness, type ExampleHarness } from './example-harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let example: ExampleHarness;
let harness: EngineHarness;
let apps: AppsV1Api;
let core: CoreV1Api;
beforeAll(async () => {
  example = await startExampleHarness([exampleDrivers]);
  harness = example.harness;
  apps = example.environment.kubeConfig.makeApiClient(AppsV1Api);
  core = example.environment.kubeConfig.makeApiClient(CoreV1Api);
}, 120_000);
afterAll(async () => example?.close());

/** One look at the task-worker: when the request went out and came back, what it desired and which pods lived. */
interface Sample {
  sentAt: number;
  receivedAt: number;
  desiredReplicas: number | undefined;
  livePods: string[];
}

const workerPods = 'app.kubernetes.io/name=example-app,app.kubernetes.io/component=task-worker';

async function lookAtWorker(namespace: string): Promise<Sample> {
  const sentAt = Date.now();
  const [deployment, pods] = await Promise.all([
    apps.readNamespacedDeployment({ namespace, name: 'task-worker' }),
    core.listNamespacedPod({ namespace, labelSelector: workerPods }),
  ]);
  const live = pods.items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  return {
    sentAt,
    receivedAt: Date.now(),
    desiredReplicas: deployment.spec?.replicas,
    livePods: live.map((p) => `${p.metadata?.name} (${p.status?.phase})`),
  };
}

/** Looks at the task-worker every 100 ms until the returned function is called; it resolves with every look. */
function watchWorker(namespace: string): () => Promise<Sample[]> {
  const samples: Sample[] = [];
  let watching = true;
  const loop = (async () => {
    while (watching) {
      samples.push(await lookAtWorker(namespace));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return async () => {
    watching = false;
    await loop;
    return samples;
  };
}

/** When a step of the run started or ended, from the run's progress, in ms since the epoch. */
function stepTime(modes: ModeProgress[], action: string, edge: 'startedAt' | 'endedAt'): number {
  const step = modes.flatMap((m) => m.actions).find((a) => a.name === action);
  const time = step?.[edge];
  if (!time) throw new Error(`the run's progress has no ${edge} for ${action}`);
  return Date.parse(time);
}

describe("the example driver's upgrade", () => {
  it('keeps the task-worker stopped from stop_workers until migrate_and_restart, through the release step', async () => {
    const deploymentId = uniqueName('stay');
    const namespace = deploymentId;
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      await client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [{ deploymentId, driver: 'example-app', namespace, version: '1.0.0', parameters: { replicas: 2 } }],
      });
      expect((await lookAtWorker(namespace)).desiredReplicas).toBe(2);

      const stopWatching = watchWorker(namespace);
      const upgrade: RunResult = await client.workflow.execute(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [{ deploymentId, driver: 'example-app', namespace, targetVersion: '2.0.0' }],
      });
      const samples = await stopWatching();
      expect(upgrade.progress.modes.map((m) => [m.mode, m.state])).toEqual([
        ['pre', 'succeeded'],
        ['core', 'succeeded'],
        ['post', 'succeeded'],
      ]);

      // The run's clock (the workflow's) records stop_workers' end after the stop finished, and
      // migrate_and_restart's start before it starts anything: the window lies inside the stop.
      const stopped = stepTime(upgrade.progress.modes, 'stop_workers', 'endedAt');
      const restarting = stepTime(upgrade.progress.modes, 'migrate_and_restart', 'startedAt');
      const release = stepTime(upgrade.progress.modes, 'helm-release', 'startedAt');
      const released = stepTime(upgrade.progress.modes, 'helm-release', 'endedAt');
      const between = samples.filter((s) => s.sentAt >= stopped && s.receivedAt <= restarting);
      const duringRelease = between.filter((s) => s.sentAt >= release && s.receivedAt <= released);
      expect(duringRelease.length).toBeGreaterThanOrEqual(3);
      expect(between.filter((s) => s.desiredReplicas !== 0 || s.livePods.length > 0)).toEqual([]);

      const worker = await apps.readNamespacedDeployment({ namespace, name: 'task-worker' });
      expect(worker.spec?.replicas).toBe(2);
      expect(worker.status?.readyReplicas).toBe(2);
      expect(worker.spec?.template.spec?.containers[0]?.image).toMatch(/:2\.0\.0$/);
      expect(worker.metadata?.annotations?.['styrmin.io/replicas-before-stop']).toBeUndefined();
    });
  }, 180_000);
});
