import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1Pod,
} from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { waitFor } from './wait-for.js';

let sim: KubeSim;
let core: CoreV1Api;
let apps: AppsV1Api;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeEach(async () => {
  sim = await startKubeSim({ readyDelayMs: 50, terminationDelayMs: 50 });
  core = sim.kubeConfig().makeApiClient(CoreV1Api);
  apps = sim.kubeConfig().makeApiClient(AppsV1Api);
});
afterEach(() => sim.close());

const template = (labels: Record<string, string>, image = 'nginx:1.27') => ({
  metadata: { labels },
  spec: { containers: [{ name: 'main', image }] },
});

const ready = (pod: V1Pod): boolean =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Every pod change in the default namespace, as a watcher sees it (no change can slip between two polls). */
interface PodEvent {
  type: string;
  name: string;
  phase?: string;
  ready: boolean;
  terminating: boolean;
  image?: string;
}

async function watchPods(): Promise<{ events: PodEvent[]; stop: () => void }> {
  const events: PodEvent[] = [];
  const controller = await new Watch(sim.kubeConfig()).watch(
    '/api/v1/namespaces/default/pods',
    {},
    (type, pod: V1Pod) => {
      events.push({
        type,
        name: pod.metadata?.name ?? '',
        phase: pod.status?.phase,
        ready: ready(pod),
        terminating: pod.metadata?.deletionTimestamp !== undefined,
        image: pod.spec?.containers[0]?.image,
      });
    },
    () => undefined,
  );
  return { events, stop: () => controller.abort() };
}

async function pods(selector: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace: 'default', labelSelector: selector })).items;
}

describe('kubesim controllers', () => {
  it('gives a Deployment its pods, Pending first, then Running and Ready, with status kept up to date', async () => {
    const watch = await watchPods();
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
      },
    });
    const running = await waitFor(async () => {
      const list = await pods('app=web');
      return list.length === 3 && list.every(ready) ? list : undefined;
    }, 'three ready pods');
    watch.stop();
    expect(running.every((p) => /^web-[a-z0-9]{10}-[a-z0-9]{5}$/.test(p.metadata?.name ?? ''))).toBe(true);
    expect(running.map((p) => p.status?.phase)).toEqual(['Running', 'Running', 'Running']);
    expect(running[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    for (const pod of running) {
      const seen = watch.events.filter((e) => e.name === pod.metadata?.name);
      expect(seen[0]).toMatchObject({ type: 'ADDED', ready: false });
      expect(seen.find((e) => e.phase === 'Pending')).toBeDefined();
      expect(seen.findIndex((e) => e.phase === 'Pending')).toBeLessThan(
        seen.findIndex((e) => e.phase === 'Running' && e.ready),
      );
    }
    const status = await waitFor(async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
      return d.status?.availableReplicas === 3 ? d.status : undefined;
    }, 'an available deployment');
    expect(status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
    });
    expect(status.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('scales a Deployment to 0 through the scale subresource: pods terminate, then vanish', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
      },
    });
    await waitFor(async () => (await pods('app=web')).filter(ready).length === 2, 'two ready pods');
    const watch = await watchPods();
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: 'default', body: { spec: { replicas: 0 } } },
      merge,
    );
    await waitFor(async () => (await pods('app=web')).length === 0, 'no pods left');
    await waitFor(() => watch.events.filter((e) => e.type === 'DELETED').length === 2, 'two DELETED events');
    watch.stop();
    const changes = watch.events.filter((e) => e.type !== 'ADDED');
    expect(changes.map((e) => [e.type, e.terminating, e.ready])).toEqual([
      ['MODIFIED', true, false],
      ['MODIFIED', true, false],
      ['DELETED', true, false],
      ['DELETED', true, false],
    ]);
    const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(d.status).toMatchObject({ replicas: 0, observedGeneration: 2 });
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: 'default', body: { spec: { replicas: 1 } } },
      merge,
    );
    await waitFor(async () => (await pods('app=web')).filter(ready).length === 1, 'one pod back');
  });

  it('rolls the pods when the template changes and keeps the old ones until the new ones are ready', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
      },
    });
    await waitFor(async () => (await pods('app=web')).filter(ready).length === 2, 'two ready pods');
    const watch = await watchPods();
    await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }] } } } },
      },
      merge,
    );
    const rolled = await waitFor(async () => {
      const list = await pods('app=web');
      return list.length === 2 && list.every((p) => p.spec?.containers[0]?.image === 'nginx:1.28' && ready(p))
        ? list
        : undefined;
    }, 'two new ready pods and no old ones');
    watch.stop();
    expect(rolled).toHaveLength(2);
    const firstOldTerminating = watch.events.findIndex((e) => e.image === 'nginx:1.27' && e.terminating);
    expect(firstOldTerminating).toBeGreaterThan(0);
    const newReadyBefore = new Set(
      watch.events
        .slice(0, firstOldTerminating)
        .filter((e) => e.image === 'nginx:1.28' && e.ready)
        .map((e) => e.name),
    );
    expect(newReadyBefore.size).toBe(2);
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace: 'default' })).items;
    expect(replicaSets.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2]);
  });

  it('gives a StatefulSet ordinal pods in order and removes them from the highest ordinal', async () => {
    const watch = await watchPods();
    await apps.createNamespacedStatefulSet({
      namespace: 'default',
      body: {
        metadata: { name: 'db' },
        spec: {
          serviceName: 'db',
          replicas: 3,
          selector: { matchLabels: { app: 'db' } },
          template: template({ app: 'db' }),
        },
      },
    });
    await waitFor(async () => {
      const list = await pods('app=db');
      return list.length === 3 && list.every(ready);
    }, 'three ready ordinal pods');
    watch.stop();
    // Each pod is created only once the one before it is Ready (OrderedReady).
    const order = watch.events
      .filter((e) => e.type === 'ADDED' || (e.ready && e.phase === 'Running'))
      .map((e) => `${e.type === 'ADDED' ? 'added' : 'ready'} ${e.name}`);
    expect(order).toEqual(['added db-0', 'ready db-0', 'added db-1', 'ready db-1', 'added db-2', 'ready db-2']);
    await apps.patchNamespacedStatefulSetScale(
      { name: 'db', namespace: 'default', body: { spec: { replicas: 1 } } },
      merge,
    );
    await waitFor(async () => (await pods('app=db')).map((p) => p.metadata?.name).join() === 'db-0', 'only db-0 left');
    const sts = await waitFor(async () => {
      const s = await apps.readNamespacedStatefulSet({ name: 'db', namespace: 'default' });
      return s.status?.replicas === 1 ? s : undefined;
    }, 'statefulset status at 1');
    expect(sts.status).toMatchObject({ readyReplicas: 1, updatedReplicas: 1, observedGeneration: 2 });
    expect(sts.status?.currentRevision).toBe(sts.status?.updateRevision);
  });

  it('runs a Job pod to completion, and fails a Job whose pods exit non-zero', async () => {
    const batch = sim.kubeConfig().makeApiClient(BatchV1Api);
    await batch.createNamespacedJob({
      namespace: 'default',
      body: {
        metadata: { name: 'migrate' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } } },
      },
    });
    const done = await waitFor(async () => {
      const job = await batch.readNamespacedJob({ name: 'migrate', namespace: 'default' });
      return job.status?.succeeded === 1 ? job : undefined;
    }, 'a completed job');
    expect(done.status?.conditions?.map((c) => c.type)).toContain('Complete');
    const jobPods = await pods('job-name=migrate');
    expect(jobPods.map((p) => p.status?.phase)).toEqual(['Succeeded']);
    await batch.createNamespacedJob({
      namespace: 'default',
      body: {
        metadata: { name: 'broken' },
        spec: {
          backoffLimit: 1,
          template: {
            metadata: { annotations: { 'kubesim.styrmin.io/exit-code': '2' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] },
          },
        },
      },
    });
    const failed = await waitFor(async () => {
      const job = await batch.readNamespacedJob({ name: 'broken', namespace: 'default' });
      return job.status?.conditions?.some((c) => c.type === 'Failed') ? job : undefined;
    }, 'a failed job');
    expect(failed.status?.failed).toBe(2);
  });

  it('deletes the pods of a deleted Deployment, and everything in a deleted namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'gone' } } });
    await apps.createNamespacedDeployment({
      namespace: 'gone',
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
      },
    });
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'api' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: template({ app: 'api' }) },
      },
    });
    await waitFor(async () => (await pods('app=api')).filter(ready).length === 1, 'api pod ready');
    await apps.deleteNamespacedDeployment({ name: 'api', namespace: 'default' });
    await waitFor(
      async () =>
        (await pods('app=api')).length === 0 &&
        (await apps.listNamespacedReplicaSet({ namespace: 'default' })).items.length === 0,
      'api pods and replica sets gone',
    );
    await waitFor(
      async () => (await core.listNamespacedPod({ namespace: 'gone' })).items.length === 2,
      'pods in namespace gone',
    );
    const terminating = await core.deleteNamespace({ name: 'gone' });
    expect(terminating).toBeDefined();
    await waitFor(
      async () => !(await core.listNamespace()).items.some((n) => n.metadata?.name === 'gone'),
      'namespace removed',
    );
    expect(sim.list('v1', 'Pod', 'gone')).toEqual([]);
  });

  it('keeps a never-ready pod Running but not Ready, and allocates ClusterIPs to Services', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'crash' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'crash' } },
          template: {
            ...template({ app: 'crash' }),
            metadata: { labels: { app: 'crash' }, annotations: { 'kubesim.styrmin.io/never-ready': 'true' } },
          },
        },
      },
    });
    const pod = await waitFor(
      async () => (await pods('app=crash')).find((p) => p.status?.phase === 'Running'),
      'a running pod',
    );
    expect(ready(pod)).toBe(false);
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    const svc = await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
  });
});
