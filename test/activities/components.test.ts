import { FailureType } from '../../contract/failures.js';
import type { ComponentsInput } from '../../contract/kubernetes.js';
import { replicasBeforeStopAnnotation, suspendedByStopAnnotation } from '../../activities/kubernetes/workloads.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { createCronJob, createDeployment, createStatefulSet } from './workloads.js';
import { expectNoWrites, failureOf, livePods, runActivity } from './fixtures.js';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
});
afterAll(async () => c.close());

const web = { name: 'web', selector: { app: 'shop', component: 'web' } };
const worker = { name: 'worker', selector: { app: 'shop', component: 'worker' } };

/** A namespace with web (Deployment of 3, StatefulSet of 2, CronJob) and worker (Deployment of 1), all ready. */
async function shop() {
  const namespace = await c.newNamespace();
  await createDeployment(c, namespace, 'web', web.selector, 3);
  await createStatefulSet(c, namespace, 'web-cache', web.selector, 2);
  await createCronJob(c, namespace, 'web-report', web.selector);
  await createDeployment(c, namespace, 'worker', worker.selector, 1);
  const input = { deploymentId: 'shop', namespace, components: [web, worker], timeoutSeconds: c.waitSeconds };
  await runActivity(c.activities.waitForComponents, {
    ...input,
    state: 'ready' as const,
    timeoutSeconds: c.waitSeconds,
  });
  return { namespace, input: { ...input, components: [web] } };
}

const annotationsOf = (o: { metadata?: { annotations?: Record<string, string> } }) => o.metadata?.annotations ?? {};

describe('stopComponents', () => {
  it('scales the component to zero, remembers the replicas on each workload, and returns once no pod is left', async () => {
    const { namespace, input } = await shop();
    const changes = await runActivity(c.activities.stopComponents, input);
    expect(changes).toEqual([
      {
        component: 'web',
        kind: 'CronJob',
        name: 'web-report',
        replicasBefore: null,
        replicasAfter: null,
        suspended: true,
        changed: true,
      },
      { component: 'web', kind: 'Deployment', name: 'web', replicasBefore: 3, replicasAfter: 0, changed: true },
      { component: 'web', kind: 'StatefulSet', name: 'web-cache', replicasBefore: 2, replicasAfter: 0, changed: true },
    ]);
    expect(await livePods(c, namespace, 'app=shop,component=web')).toEqual([]);
    const deployment = await c.apps.readNamespacedDeployment({ name: 'web', namespace });
    expect(deployment.spec?.replicas).toBe(0);
    expect(annotationsOf(deployment)[replicasBeforeStopAnnotation]).toBe('3');
    const statefulSet = await c.apps.readNamespacedStatefulSet({ name: 'web-cache', namespace });
    expect([statefulSet.spec?.replicas, annotationsOf(statefulSet)[replicasBeforeStopAnnotation]]).toEqual([0, '2']);
    const cronJob = await c.batch.readNamespacedCronJob({ name: 'web-report', namespace });
    expect([cronJob.spec?.suspend, annotationsOf(cronJob)[suspendedByStopAnnotation]]).toEqual([true, 'true']);
    // Other components are left alone.
    expect((await c.apps.readNamespacedDeployment({ name: 'worker', namespace })).spec?.replicas).toBe(1);
  });

  it('changes nothing when run again, and still reports the remembered replicas', async () => {
    const { namespace, input } = await shop();
    await runActivity(c.activities.stopComponents, input);
    const again = await expectNoWrites(c, namespace, () => runActivity(c.activities.stopComponents, input));
    expect(again.map((w) => [w.name, w.replicasBefore, w.changed])).toEqual([
      ['web-report', null, false],
      ['web', 3, false],
      ['web-cache', 2, false],
    ]);
  });

  it('never overwrites a remembered count, so a retry after a crash between annotating and scaling is safe', async () => {
    const namespace = await c.newNamespace();
    await createDeployment(c, namespace, 'web', web.selector, 3);
    const annotate = (value: string) => ({ metadata: { annotations: { [replicasBeforeStopAnnotation]: value } } });
    // As left by a stop that annotated, then crashed before scaling:
    await c.apps.patchNamespacedDeployment({
      name: 'web',
      namespace,
      body: [{ op: 'add', path: '/metadata/annotations', value: annotate('3').metadata.annotations }],
    });
    // As left by a stop of 4 replicas after which someone scaled up to 1 by hand:
    await createDeployment(c, namespace, 'web-admin', web.selector, 1);
    await c.apps.patchNamespacedDeployment({
      name: 'web-admin',
      namespace,
      body: [{ op: 'add', path: '/metadata/annotations', value: annotate('4').metadata.annotations }],
    });
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
    const changes = await runActivity(c.activities.stopComponents, input);
    expect(changes.map((w) => [w.name, w.replicasBefore, w.replicasAfter, w.changed])).toEqual([
      ['web', 3, 0, true],
      ['web-admin', 4, 0, true],
    ]);
    const admin = await c.apps.readNamespacedDeployment({ name: 'web-admin', namespace });
    expect(annotationsOf(admin)[replicasBeforeStopAnnotation]).toBe('4');
    await runActivity(c.activities.startComponents, input);
    expect((await c.apps.readNamespacedDeployment({ name: 'web-admin', namespace })).status?.readyReplicas).toBe(4);
  });
});

describe('startComponents', () => {
  it('restores the remembered replicas, waits until all are ready, then resumes CronJobs and drops the annotations', async () => {
    const { namespace, input } = await shop();
    await runActivity(c.activities.stopComponents, input);
    const changes = await runActivity(c.activities.startComponents, input);
    expect(changes).toEqual([
      { component: 'web', kind: 'Deployment', name: 'web', replicasBefore: 0, replicasAfter: 3, changed: true },
      { component: 'web', kind: 'StatefulSet', name: 'web-cache', replicasBefore: 0, replicasAfter: 2, changed: true },
      {
        component: 'web',
        kind: 'CronJob',
        name: 'web-report',
        replicasBefore: null,
        replicasAfter: null,
        suspended: false,
        changed: true,
      },
    ]);
    const deployment = await c.apps.readNamespacedDeployment({ name: 'web', namespace });
    expect([deployment.spec?.replicas, deployment.status?.readyReplicas]).toEqual([3, 3]);
    expect(annotationsOf(deployment)[replicasBeforeStopAnnotation]).toBeUndefined();
    const statefulSet = await c.apps.readNamespacedStatefulSet({ name: 'web-cache', namespace });
    expect([statefulSet.status?.readyReplicas, annotationsOf(statefulSet)[replicasBeforeStopAnnotation]]).toEqual([
      2,
      undefined,
    ]);
    const cronJob = await c.batch.readNamespacedCronJob({ name: 'web-report', namespace });
    expect([cronJob.spec?.suspend, annotationsOf(cronJob)[suspendedByStopAnnotation]]).toEqual([false, undefined]);
  });

  it('changes nothing when the component already runs', async () => {
    const { namespace, input } = await shop();
    await runActivity(c.activities.stopComponents, input);
    await runActivity(c.activities.startComponents, input);
    const again = await expectNoWrites(c, namespace, () => runActivity(c.activities.startComponents, input));
    expect(again.map((w) => [w.name, w.replicasAfter, w.changed])).toEqual([
      ['web', 3, false],
      ['web-cache', 2, false],
      ['web-report', null, false],
    ]);
  });

  it('leaves what no stop touched as it is: a CronJob suspended by hand stays suspended', async () => {
    const namespace = await c.newNamespace();
    await createDeployment(c, namespace, 'web', web.selector, 2);
    await createCronJob(c, namespace, 'web-report', web.selector);
    await c.batch.patchNamespacedCronJob({
      name: 'web-report',
      namespace,
      body: [{ op: 'replace', path: '/spec/suspend', value: true }],
    });
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
    const stopped = await runActivity(c.activities.stopComponents, input);
    expect(stopped.find((w) => w.kind === 'CronJob')?.changed).toBe(false);
    await runActivity(c.activities.startComponents, input);
    expect((await c.batch.readNamespacedCronJob({ name: 'web-report', namespace })).spec?.suspend).toBe(true);
    expect((await c.apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas).toBe(2);
  });
});

describe('component lookup', () => {
  it('fails with a non-retryable ComponentNotFound naming the selector and namespace when nothing matches', async () => {
    const namespace = await c.newNamespace();
    const input = {
      deploymentId: 'shop',
      namespace,
      components: [{ name: 'ghost', selector: { app: 'shop', component: 'ghost' } }],
    };
    // Each run's rejection is handled as soon as it starts: awaiting them one by one would leave a
    // later run's rejection unhandled while an earlier one is still pending.
    const failures = await Promise.all(
      [c.activities.stopComponents, c.activities.startComponents, c.activities.getComponentStatus].map((fn) =>
        failureOf(runActivity<ComponentsInput, unknown>(fn, input)),
      ),
    );
    for (const failure of failures) {
      expect([failure.type, failure.nonRetryable]).toEqual([FailureType.ComponentNotFound, true]);
      expect(failure.message).toContain('app=shop,component=ghost');
      expect(failure.message).toContain(`namespace "${namespace}"`);
      expect(failure.message).toContain('"ghost"');
    }
  });

  it('refuses an empty selector instead of stopping every workload of the namespace', async () => {
    const namespace = await c.newNamespace();
    await createDeployment(c, namespace, 'web', web.selector, 1);
    const input = { deploymentId: 'shop', namespace, components: [{ name: 'everything', selector: {} }] };
    const failure = await failureOf(runActivity(c.activities.stopComponents, input));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.InvalidInput, true]);
    expect((await c.apps.readNamespacedDeployment({ name: 'web', namespace })).spec?.replicas).toBe(1);
  });
});
