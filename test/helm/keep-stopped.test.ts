/**
 * releaseChart keeps what stopComponents stopped stopped: a stopped Deployment or StatefulSet stays
 * at 0 replicas and a stopped CronJob stays suspended through an upgrade that changes the chart,
 * while the rest gets the chart's replicas; startComponents then restores the remembered replicas,
 * and a later upgrade without a stop gives the chart's replicas again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ComponentsInput } from '../../contract/kubernetes.js';
import type { ComponentRef } from '../../contract/run-context.js';
import { FailureType } from '../../contract/failures.js';
import { startChartRepo, type ChartRepo } from '../../runtime/chart-repository.js';
import { livePods, runActivity } from '../activities/fixtures.js';
import { onSim } from '../support/cluster.js';
import { exampleContext } from './example-context.js';
import {
  chartImage,
  helm,
  neverReadyPods,
  readDeployment,
  releaseEnv,
  releaseInput,
  releaseTestTimeoutMs,
  startReleaseHarness,
  v1,
  v11,
  type ReleaseHarness,
} from './release-harness.js';

const stopAnnotation = 'styrmin.io/replicas-before-stop';
const probeChartDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'charts', 'stop-probe');

let h: ReleaseHarness;
let probeRepo: ChartRepo;

/** The stop-probe chart, on a real cluster with an image it can pull (as the example chart's copy does). */
function probeChart(): string {
  if (onSim) return probeChartDir;
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-probe-')), 'stop-probe');
  fs.cpSync(probeChartDir, copy, { recursive: true });
  const valuesFile = path.join(copy, 'values.yaml');
  fs.writeFileSync(
    valuesFile,
    fs.readFileSync(valuesFile, 'utf8').replace(/^(\s+repository:).*$/m, `$1 ${chartImage.repository}`),
  );
  return copy;
}

beforeAll(async () => {
  h = await startReleaseHarness();
  const dir = probeChart();
  probeRepo = await startChartRepo({
    charts: [v1, v11].map((v) => ({ dir, version: v.chartVersion, appVersion: v.appVersion })),
  });
}, 60_000);
afterAll(async () => {
  await probeRepo?.close();
  await h?.close();
});

const component = (name: string, labels: Record<string, string>): ComponentRef => ({ name, selector: labels });
const components = (namespace: string, ...refs: ComponentRef[]): ComponentsInput => ({
  deploymentId: namespace,
  namespace,
  components: refs,
  timeoutSeconds: h.cluster.waitSeconds * 3,
});

/**
 * Samples a workload's desired replicas and live pods every 50 ms until stopped: what a worker
 * could see while the release runs. Errors of single polls count as no sample.
 */
function watchWorkload(desired: () => Promise<number | undefined>, labelSelector: string, namespace: string) {
  const samples: Array<{ desired: number | undefined; pods: number }> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const [replicas, pods] = await Promise.all([desired(), livePods(h.cluster, namespace, labelSelector)]).catch(
        () => [undefined, undefined],
      );
      if (pods) samples.push({ desired: replicas, pods: pods.length });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return samples;
  };
}

describe('releaseChart with stopped workloads (example chart)', () => {
  const taskWorker = component('task-worker', {
    'app.kubernetes.io/name': 'example-app',
    'app.kubernetes.io/component': 'task-worker',
  });
  const workerPods = 'app.kubernetes.io/component=task-worker';

  it(
    "keeps a stopped task-worker at 0 through an upgrade, gives the server the chart's replicas, and a later upgrade restores the chart's replicas",
    async () => {
      const ns = await h.cluster.newNamespace();
      const { release, logs } = releaseEnv(h);
      await release(releaseInput(h, 'setup', { namespace: ns, ...v1, parameters: { replicas: 2 } }));
      await runActivity(h.cluster.activities.stopComponents, components(ns, taskWorker));
      expect((await readDeployment(h, ns, 'task-worker')).spec?.replicas).toBe(0);

      // The upgrade changes the chart version, the image and the replicas (2 -> 3).
      const stopWatching = watchWorkload(
        async () => (await readDeployment(h, ns, 'task-worker')).spec?.replicas,
        workerPods,
        ns,
      );
      const upgraded = await release(
        releaseInput(h, 'upgrade', { namespace: ns, ...v11, parameters: { replicas: 3 } }),
      );
      const samples = await stopWatching();
      expect(upgraded).toMatchObject({ action: 'upgraded', revision: 2, keptStopped: ['Deployment/task-worker'] });
      expect(samples.length).toBeGreaterThan(3);
      expect(samples.filter((s) => s.desired !== 0 || s.pods !== 0)).toEqual([]);
      expect(logs.map((l) => l.message)).toContain(
        `release ${ns}: keeping stopped workloads stopped (replicas 0, CronJobs suspended): Deployment/task-worker`,
      );
      const worker = await readDeployment(h, ns, 'task-worker');
      expect(worker.spec?.replicas).toBe(0);
      expect(worker.metadata?.annotations?.[stopAnnotation]).toBe('2');
      expect(worker.spec?.template.spec?.containers[0]?.image).toBe(`${chartImage.repository}:${v11.appVersion}`);
      expect((await readDeployment(h, ns, 'server')).spec?.replicas).toBe(3);

      // Same chart and values: nothing runs, the worker stays stopped.
      const again = await release(releaseInput(h, 'upgrade', { namespace: ns, ...v11, parameters: { replicas: 3 } }));
      expect(again).toMatchObject({ action: 'unchanged', revision: 2, keptStopped: [] });
      expect((await readDeployment(h, ns, 'task-worker')).spec?.replicas).toBe(0);

      // startComponents brings back the remembered replicas, though helm's manifest now says 0.
      await runActivity(h.cluster.activities.startComponents, components(ns, taskWorker));
      const started = await readDeployment(h, ns, 'task-worker');
      expect(started.spec?.replicas).toBe(2);
      expect(started.metadata?.annotations?.[stopAnnotation]).toBeUndefined();
      expect(started.status?.readyReplicas).toBe(2);

      // A later upgrade without a stop merges the stored 0 against the chart's 3: the chart wins, not the 0.
      const later = await release(
        releaseInput(h, 'upgrade', {
          namespace: ns,
          ...v11,
          parameters: { replicas: 3 },
          podAnnotations: { later: 'yes' },
        }),
      );
      expect(later).toMatchObject({ action: 'upgraded', revision: 3, keptStopped: [] });
      const after = await readDeployment(h, ns, 'task-worker');
      expect(after.spec?.replicas).toBe(3);
      expect(after.status?.readyReplicas).toBe(3);
      expect(await helm(h, ['get', 'manifest', ns, '-n', ns])).not.toMatch(/replicas: 0/);
    },
    releaseTestTimeoutMs * 2,
  );

  describe('on a failed upgrade', () => {
    it(
      'stops again what the rollback started',
      async () => {
        const ns = await h.cluster.newNamespace();
        const { release } = releaseEnv(h);
        await release(releaseInput(h, 'setup', { namespace: ns, ...v1, parameters: { replicas: 2 } }));
        await runActivity(h.cluster.activities.stopComponents, components(ns, taskWorker));
        const failed = release(
          releaseInput(h, 'upgrade', { namespace: ns, ...v11, ...neverReadyPods }, { timeoutSeconds: 3 }),
        );
        await expect(failed).rejects.toMatchObject({
          type: FailureType.ReleaseFailed,
          message: expect.stringContaining(
            `Release now: rolled back to revision 1 (example-app-1.0.0, app ${v1.appVersion}); stopped again what the rollback started: Deployment/task-worker`,
          ),
        });
        const worker = await readDeployment(h, ns, 'task-worker');
        expect(worker.spec?.replicas).toBe(0);
        expect(worker.metadata?.annotations?.[stopAnnotation]).toBe('2');
        expect(await livePods(h.cluster, ns, workerPods)).toEqual([]);
      },
      releaseTestTimeoutMs,
    );
  });
});

describe('releaseChart with stopped workloads of every kind (stop-probe chart)', () => {
  const worker = component('worker', {
    'app.kubernetes.io/name': 'stop-probe',
    'app.kubernetes.io/component': 'worker',
  });
  const probeInput = (ns: string, run: typeof v1, extra: { podAnnotations?: Record<string, string> } = {}) => ({
    deploymentId: ns,
    hook: 'upgrade' as const,
    context: exampleContext({
      namespace: ns,
      repoUrl: `${probeRepo.url}#stop-probe`,
      ...run,
      parameters: { replicas: 2 },
      componentCommand: chartImage.command,
      ...extra,
    }),
  });
  const replicas = async (ns: string) => ({
    web: (await readDeployment(h, ns, 'web')).spec?.replicas,
    worker: (await readDeployment(h, ns, 'worker')).spec?.replicas,
    autoscaled: (await readDeployment(h, ns, 'autoscaled')).spec?.replicas,
    queue: (await h.cluster.apps.readNamespacedStatefulSet({ namespace: ns, name: 'queue' })).spec?.replicas,
    cleanupSuspended: (await h.cluster.batch.readNamespacedCronJob({ namespace: ns, name: 'cleanup' })).spec?.suspend,
  });

  it(
    'keeps Deployments (with or without replicas in the chart), StatefulSets and CronJobs stopped, and restores them after',
    async () => {
      const ns = await h.cluster.newNamespace();
      const { release } = releaseEnv(h);
      await release({ ...probeInput(ns, v1), hook: 'setup' });
      // An autoscaler's doing: the chart never sets these replicas.
      await h.cluster.apps.patchNamespacedDeploymentScale(
        { namespace: ns, name: 'autoscaled', body: { spec: { replicas: 3 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect(await replicas(ns)).toEqual({ web: 2, worker: 2, autoscaled: 3, queue: 2, cleanupSuspended: false });
      await runActivity(h.cluster.activities.stopComponents, components(ns, worker));

      // 1.1.0 no longer sets the replicas of `worker`: without the stop, helm would drop the field and the API would default it to 1.
      const stopWatching = watchWorkload(async () => undefined, 'app.kubernetes.io/component=worker', ns);
      const upgraded = await release(probeInput(ns, v11));
      const samples = await stopWatching();
      expect([...upgraded.keptStopped].sort()).toEqual([
        'CronJob/cleanup',
        'Deployment/autoscaled',
        'Deployment/worker',
        'StatefulSet/queue',
      ]);
      expect(samples.filter((s) => s.pods !== 0)).toEqual([]);
      expect(await replicas(ns)).toEqual({ web: 2, worker: 0, autoscaled: 0, queue: 0, cleanupSuspended: true });

      await runActivity(h.cluster.activities.startComponents, components(ns, worker));
      expect(await replicas(ns)).toEqual({ web: 2, worker: 2, autoscaled: 3, queue: 2, cleanupSuspended: false });

      // A later upgrade without a stop: the autoscaled count survives (helm was never given replicas for it);
      // `worker` goes the way helm takes any chart that stops setting replicas (field dropped, API default 1).
      const later = await release(probeInput(ns, v11, { podAnnotations: { later: 'yes' } }));
      expect(later.keptStopped).toEqual([]);
      expect(await replicas(ns)).toEqual({ web: 2, worker: 1, autoscaled: 3, queue: 2, cleanupSuspended: false });
    },
    releaseTestTimeoutMs * 2,
  );
});
