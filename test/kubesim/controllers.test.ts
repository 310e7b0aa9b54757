import { AppsV1Api, BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
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

const ready = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function pods(selector: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace: 'default', labelSelector: selector })).items;
}

describe('kubesim controllers', () => {
  it('gives a Deployment its pods, Pending first, then Running and Ready, with status kept up to date', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } } });
    const first = await waitFor(async () => ((await pods('app=web')).length === 3 ? pods('app=web') : undefined), 'three pods');
    expect(first.every((p) => /^web-[a-z0-9]{10}-[a-z0-9]{5}$/.test(p.metadata?.name ?? ''))).toBe(true);
    expect(first.some((p) => p.status?.phase === 'Pending')).toBe(true);
    expect(first[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    const running = await waitFor(async () => ((await pods('app=web')).every(ready) ? pods('app=web') : undefined), 'ready pods');
    expect(running.map((p) => p.status?.phase)).toEqual(['Running', 'Running', 'Running']);
    const status = await waitFor(async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
      return d.status?.availableReplicas === 3 ? d.status : undefined;
    }, 'an available deployment');
    expect(status).toMatchObject({ observedGeneration: 1, replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(status.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('scales a Deployment to 0 through the scale subresource: pods terminate, then vanish', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } } });
    await waitFor(async () => (await pods('app=web')).filter(ready).length === 2, 'two ready pods');
    await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'default', body: { spec: { replicas: 0 } } }, merge);
    const terminating = await waitFor(async () => {
      const list = await pods('app=web');
      return list.length > 0 && list.every((p) => p.metadata?.deletionTimestamp) ? list : undefined;
    }, 'terminating pods');
    expect(terminating.every((p) => !ready(p))).toBe(true);
    await waitFor(async () => (await pods('app=web')).length === 0, 'no pods left');
    const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(d.status).toMatchObject({ replicas: 0, observedGeneration: 2 });
    await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'default', body: { spec: { replicas: 1 } } }, merge);
    await waitFor(async () => (await pods('app=web')).filter(ready).length === 1, 'one pod back');
  });

  it('rolls the pods when the template changes and keeps the old ones until the new ones are ready', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } } });
    await waitFor(async () => (await pods('app=web')).filter(ready).length === 2, 'two ready pods');
    await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }] } } } } }, merge);
    const rolled = await waitFor(async () => {
      const list = await pods('app=web');
      return list.length === 2 && list.every((p) => p.spec?.containers[0]?.image === 'nginx:1.28' && ready(p)) ? list : undefined;
    }, 'two new ready pods and no old ones');
    expect(rolled).toHaveLength(2);
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace: 'default' })).items;
    expect(replicaSets.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2]);
  });

  it('gives a StatefulSet ordinal pods in order and removes them from the highest ordinal', async () => {
    await apps.createNamespacedStatefulSet({ namespace: 'default', body: { metadata: { name: 'db' }, spec: { serviceName: 'db', replicas: 3, selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } } });
    const created: string[] = [];
    await waitFor(async () => {
      for (const p of await pods('app=db')) if (!created.includes(p.metadata?.name ?? '')) created.push(p.metadata?.name ?? '');
      return created.length === 3 && (await pods('app=db')).every(ready);
    }, 'three ready ordinal pods');
    expect(created).toEqual(['db-0', 'db-1', 'db-2']);
    await apps.patchNamespacedStatefulSetScale({ name: 'db', namespace: 'default', body: { spec: { replicas: 1 } } }, merge);
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
    await batch.createNamespacedJob({ namespace: 'default', body: { metadata: { name: 'migrate' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } } } } });
    const done = await waitFor(async () => {
      const job = await batch.readNamespacedJob({ name: 'migrate', namespace: 'default' });
      return job.status?.succeeded === 1 ? job : undefined;
    }, 'a completed job');
    expect(done.status?.conditions?.map((c) => c.type)).toContain('Complete');
    const jobPods = await pods('job-name=migrate');
    expect(jobPods.map((p) => p.status?.phase)).toEqual(['Succeeded']);
    await batch.createNamespacedJob({
      namespace: 'default',
      body: { metadata: { name: 'broken' }, spec: { backoffLimit: 1, template: { metadata: { annotations: { 'kubesim.styrmin.io/exit-code': '2' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } } } },
    });
    const failed = await waitFor(async () => {
      const job = await batch.readNamespacedJob({ name: 'broken', namespace: 'default' });
      return job.status?.conditions?.some((c) => c.type === 'Failed') ? job : undefined;
    }, 'a failed job');
    expect(failed.status?.failed).toBe(2);
  });

  it('deletes the pods of a deleted Deployment, and everything in a deleted namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'gone' } } });
    await apps.createNamespacedDeployment({ namespace: 'gone', body: { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } } });
    await apps.createNamespacedDeployment({ namespace: 'default', body: { metadata: { name: 'api' }, spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: template({ app: 'api' }) } } });
    await waitFor(async () => (await pods('app=api')).filter(ready).length === 1, 'api pod ready');
    await apps.deleteNamespacedDeployment({ name: 'api', namespace: 'default' });
    await waitFor(async () => (await pods('app=api')).length === 0 && (await apps.listNamespacedReplicaSet({ namespace: 'default' })).items.length === 0, 'api pods and replica sets gone');
    await waitFor(async () => (await core.listNamespacedPod({ namespace: 'gone' })).items.length === 2, 'pods in namespace gone');
    const terminating = await core.deleteNamespace({ name: 'gone' });
    expect(terminating).toBeDefined();
    await waitFor(async () => !(await core.listNamespace()).items.some((n) => n.metadata?.name === 'gone'), 'namespace removed');
    expect(sim.list('v1', 'Pod', 'gone')).toEqual([]);
  });

  it('keeps a never-ready pod Running but not Ready, and allocates ClusterIPs to Services', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'crash' }, spec: { replicas: 1, selector: { matchLabels: { app: 'crash' } }, template: { ...template({ app: 'crash' }), metadata: { labels: { app: 'crash' }, annotations: { 'kubesim.styrmin.io/never-ready': 'true' } } } } },
    });
    const pod = await waitFor(async () => (await pods('app=crash')).find((p) => p.status?.phase === 'Running'), 'a running pod');
    expect(ready(pod)).toBe(false);
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    const svc = await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
  });
});
