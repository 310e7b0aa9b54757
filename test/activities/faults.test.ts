import { CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import { replicasBeforeStopAnnotation } from '../../activities/kubernetes/workloads.js';
import type { KubeSim } from '../../kubesim/index.js';
import { describeSimOnly, startTestCluster, type TestCluster } from '../support/cluster.js';
import { createDeployment, createStatefulSet } from './workloads.js';
import { activityEnv, failureOf, livePods, runActivity } from './fixtures.js';

let c: TestCluster;
let sim: KubeSim;
beforeAll(async () => {
  c = await startTestCluster();
  if (c.sim) sim = c.sim;
});
afterAll(async () => c.close());
afterEach(() => c.sim?.faults.clear());

const web = { name: 'web', selector: { app: 'shop', component: 'web' } };

async function readyWeb() {
  const namespace = await c.newNamespace();
  await createDeployment(c, namespace, 'web', web.selector, 3);
  await createStatefulSet(c, namespace, 'web-cache', web.selector, 1);
  const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
  await runActivity(c.activities.waitForComponents, {
    ...input,
    state: 'ready' as const,
    timeoutSeconds: c.waitSeconds,
  });
  return { namespace, input };
}

const statuses = (namespace: string, method: string, pathEnd: string) =>
  sim.requests
    .filter((r) => r.method === method && r.path.includes(`/namespaces/${namespace}/`) && r.path.endsWith(pathEnd))
    .map((r) => r.status);

describeSimOnly('faults injected by the simulator (kubesim only: a real cluster cannot inject them)', () => {
  it('stop and start finish through 500, 503 and 429 answers on writes and reads', async () => {
    const { namespace, input } = await readyWeb();
    sim.faults.inject({
      status: 500,
      count: 2,
      match: { method: 'PATCH', pathIncludes: `/namespaces/${namespace}/deployments/web/scale` },
    });
    sim.faults.inject({
      status: 503,
      count: 1,
      match: { method: 'PATCH', pathIncludes: `/namespaces/${namespace}/statefulsets/web-cache/scale` },
    });
    sim.faults.inject({
      status: 429,
      count: 2,
      match: { method: 'GET', pathIncludes: `/namespaces/${namespace}/pods` },
    });
    const stopped = await runActivity(c.activities.stopComponents, input);
    expect(stopped.map((w) => [w.name, w.replicasBefore, w.changed])).toEqual([
      ['web', 3, true],
      ['web-cache', 1, true],
    ]);
    expect(statuses(namespace, 'PATCH', '/deployments/web/scale')).toEqual([500, 500, 200]);
    expect(statuses(namespace, 'GET', '/pods')).toEqual(expect.arrayContaining([429, 429, 200]));
    expect(await livePods(c, namespace, 'component=web')).toEqual([]);

    const { env, heartbeats } = activityEnv();
    // Once the start is waiting for pods, the reads it polls with fail more often than one read
    // retries at once (4 attempts): the wait reports the failure in its heartbeat and polls on.
    env.once('heartbeat', () =>
      sim.faults.inject({
        status: 500,
        count: 5,
        match: { method: 'GET', pathIncludes: `/namespaces/${namespace}/deployments` },
      }),
    );
    await runActivity(c.activities.startComponents, input, env);
    expect((await c.apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas).toBe(3);
    expect(heartbeats.some((h) => /HTTP 500/.test((h as { lastError?: string }).lastError ?? ''))).toBe(true);
  });

  it('stop and start finish through dropped connections', async () => {
    const { namespace, input } = await readyWeb();
    sim.faults.dropConnections({ count: 2, match: { method: 'GET', pathIncludes: `/namespaces/${namespace}/` } });
    sim.faults.dropConnections({
      count: 1,
      match: { method: 'PATCH', pathIncludes: `/namespaces/${namespace}/deployments/web/scale` },
    });
    await runActivity(c.activities.stopComponents, input);
    expect(statuses(namespace, 'PATCH', '/deployments/web/scale')).toEqual([0, 200]);
    sim.faults.dropConnections({ count: 2, match: { pathIncludes: `/namespaces/${namespace}/` } });
    await runActivity(c.activities.startComponents, input);
    expect((await c.apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas).toBe(3);
  });

  it('a conflict while annotating is retried on a fresh read', async () => {
    const { namespace, input } = await readyWeb();
    sim.faults.inject({
      status: 409,
      count: 1,
      match: { method: 'PATCH', pathIncludes: `/namespaces/${namespace}/deployments/web` },
    });
    const [change] = await runActivity(c.activities.stopComponents, input);
    expect(change).toMatchObject({ name: 'web', replicasBefore: 3, changed: true });
    expect(statuses(namespace, 'PATCH', '/deployments/web')).toEqual([409, 200]);
  });

  it('an outage longer than the in-activity retries fails retryably; the next attempt, as Temporal runs it, ends stopped with the count kept', async () => {
    const { namespace, input } = await readyWeb();
    sim.faults.inject({
      status: 500,
      count: 20,
      match: { method: 'PATCH', pathIncludes: `/namespaces/${namespace}/deployments/web/scale` },
    });
    const failure = await failureOf(runActivity(c.activities.stopComponents, input));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.KubernetesUnavailable, false]);
    expect(failure.message).toContain(`patch deployments/scale "web" in namespace "${namespace}"`);
    expect(failure.message).not.toContain('HTTP-Code'); // no raw ApiException dump
    const annotated = await c.apps.readNamespacedDeployment({ name: 'web', namespace });
    expect([annotated.spec?.replicas, annotated.metadata?.annotations?.[replicasBeforeStopAnnotation]]).toEqual([
      3,
      '3',
    ]);
    sim.faults.clear();
    const retried = await runActivity(c.activities.stopComponents, input);
    expect(retried[0]).toMatchObject({ name: 'web', replicasBefore: 3, replicasAfter: 0, changed: true });
    expect(await livePods(c, namespace, 'component=web')).toEqual([]);
  });

  it('persistent throttling fails retryably and hands the API Retry-After to Temporal as the next retry delay', async () => {
    const { namespace, input } = await readyWeb();
    const scalePath = `/namespaces/${namespace}/deployments/web/scale`;
    sim.faults.inject({
      status: 429,
      count: 20,
      retryAfterSeconds: 2,
      match: { method: 'PATCH', pathIncludes: scalePath },
    });
    const failure = await failureOf(runActivity(c.activities.stopComponents, input));
    expect([failure.type, failure.nonRetryable, failure.nextRetryDelay]).toEqual([
      FailureType.KubernetesUnavailable,
      false,
      '2s',
    ]);
    expect(failure.message).toContain('HTTP 429');
    expect(statuses(namespace, 'PATCH', '/deployments/web/scale')).toEqual([429, 429, 429, 429]);
  });

  it('a 403 fails at once, non-retryably, naming the verb, resource and namespace refused', async () => {
    const { namespace, input } = await readyWeb();
    sim.faults.inject({
      status: 403,
      count: 5,
      match: { method: 'PATCH', pathIncludes: `/namespaces/${namespace}/deployments/web/scale` },
    });
    const failure = await failureOf(runActivity(c.activities.stopComponents, input));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.KubernetesRequestRejected, true]);
    expect(failure.message).toContain(
      `refused to patch deployments/scale "web" in namespace "${namespace}" (HTTP 403)`,
    );
    expect(failure.message).toContain('cannot patch resource "deployments/scale"');
    expect(statuses(namespace, 'PATCH', '/deployments/web/scale')).toEqual([403]);

    sim.faults.inject({
      status: 403,
      count: 1,
      match: { method: 'GET', pathIncludes: `/namespaces/${namespace}/pods` },
    });
    const list = await failureOf(runActivity(c.activities.getComponentStatus, input));
    expect(list.message).toContain(`refused to list pods in namespace "${namespace}" (HTTP 403)`);
  });

  it('exec: a 403 is rejected with its message, a 503 or a dropped upgrade is retryable and the next attempt runs', async () => {
    const { namespace } = await readyWeb();
    const input = { deploymentId: 'shop', namespace, component: web, commands: [['echo', 'migrated']] };
    sim.faults.inject({ status: 403, count: 1, match: { pathIncludes: '/exec' } });
    const refused = await failureOf(runActivity(c.activities.executeCommands, input));
    expect([refused.type, refused.nonRetryable]).toEqual([FailureType.KubernetesRequestRejected, true]);
    expect(refused.message).toMatch(/refused to get pods\/exec "web-[^"]+" in namespace/);
    expect(refused.message).toContain('cannot get resource "pods/exec"');

    for (const fault of [
      () => sim.faults.inject({ status: 503, match: { pathIncludes: '/exec' } }),
      () => sim.faults.dropConnections({ match: { pathIncludes: '/exec' } }),
    ]) {
      fault();
      const unavailable = await failureOf(runActivity(c.activities.executeCommands, input));
      expect([unavailable.type, unavailable.nonRetryable]).toEqual([FailureType.KubernetesUnavailable, false]);
      const [result] = await runActivity(c.activities.executeCommands, input);
      expect(result?.stdout).toBe('migrated\n');
    }
  });

  it('exec: a cancellation does not wait for an upgrade that hangs', async () => {
    const { namespace } = await readyWeb();
    sim.faults.delay({ ms: 2_500, match: { pathIncludes: `/namespaces/${namespace}/pods/` } });
    const { env } = activityEnv();
    const input = { deploymentId: 'shop', namespace, component: web, commands: [['echo', 'late']] };
    const started = Date.now();
    const running = runActivity(c.activities.executeCommands, input, env);
    setTimeout(() => env.cancel(), 300);
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a wait does not hang on an API that stops answering: it times out with what it last saw', async () => {
    const { namespace, input } = await readyWeb();
    sim.faults.delay({ ms: 2_500, match: { method: 'GET', pathIncludes: `/namespaces/${namespace}/pods` } });
    const started = Date.now();
    const failure = await failureOf(
      runActivity(c.activities.waitForComponents, { ...input, state: 'stopped', timeoutSeconds: 1 }),
    );
    expect(Date.now() - started).toBeLessThan(2_400);
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.WaitTimedOut, true]);
    expect(failure.message).toContain('no answer from the Kubernetes API');
  });
});
