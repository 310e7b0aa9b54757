import { CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { createBarePod, createDeployment } from './workloads.js';
import { activityEnv, failureOf, livePods, runActivity, until, waitUntilReady } from './fixtures.js';

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
});
afterAll(async () => c.close());

const web = { name: 'web', selector: { app: 'shop', component: 'web' } };
const messages = (heartbeats: unknown[]) => heartbeats.map((h) => (h as { message?: string }).message ?? '');

/** web: a Deployment of 2 plus a bare pod that no stop can remove. */
async function webWithStrayPod() {
  const namespace = await c.newNamespace();
  await createDeployment(c, namespace, 'web', web.selector, 2);
  await createBarePod(c, namespace, 'web-debug', web.selector);
  await waitUntilReady(c, namespace, [web]);
  await until(
    'the stray pod to run',
    c.waitSeconds,
    async () => (await livePods(c, namespace, 'component=web')).length === 3,
  );
  return namespace;
}

/** web: a Deployment of 2 whose pods crash-loop and never become ready. */
async function crashingWeb() {
  const namespace = await c.newNamespace();
  await createDeployment(c, namespace, 'web', web.selector, 2, { neverReady: true });
  return namespace;
}

describe('waiting for pods to go', () => {
  it('heartbeats how many pods are left and times out with WaitTimedOut naming the ones still there', async () => {
    const namespace = await webWithStrayPod();
    const { env, heartbeats } = activityEnv();
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.shortWaitSeconds };
    const failure = await failureOf(runActivity(c.activities.stopComponents, input, env));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.WaitTimedOut, true]);
    expect(failure.message).toContain('web-debug (Running, ready)');
    expect(failure.message).not.toContain('web-debug (Running, ready), web-');
    expect(messages(heartbeats)).toContainEqual(
      expect.stringMatching(/^web: 1 of 3 pods left \(web-debug \(Running, ready\)\)$/),
    );
  });

  it('stops waiting as soon as the activity is cancelled, and a later attempt resumes from the state on the cluster', async () => {
    const namespace = await webWithStrayPod();
    const { env } = activityEnv();
    env.once('heartbeat', () => env.cancel());
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
    const started = Date.now();
    await expect(runActivity(c.activities.stopComponents, input, env)).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(c.waitSeconds * 1000);
    await c.core.deleteNamespacedPod({ name: 'web-debug', namespace, gracePeriodSeconds: 0 });
    const retried = await runActivity(c.activities.stopComponents, input);
    expect(retried).toEqual([
      { component: 'web', kind: 'Deployment', name: 'web', replicasBefore: 2, replicasAfter: 0, changed: false },
    ]);
    expect(await livePods(c, namespace, 'component=web')).toEqual([]);
  });
});

describe('waiting for pods to be ready', () => {
  it('times out with WaitTimedOut listing each pod that is not ready, with its phase and reason', async () => {
    const namespace = await crashingWeb();
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.shortWaitSeconds };
    const failure = await failureOf(runActivity(c.activities.startComponents, input));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.WaitTimedOut, true]);
    expect(failure.message).toContain('Deployment web 0 of 2 ready');
    const pods = await livePods(c, namespace, 'component=web');
    expect(pods).toHaveLength(2);
    for (const pod of pods)
      expect(failure.message).toMatch(
        new RegExp(`${pod.metadata?.name} \\(\\w+, not ready: (CrashLoopBackOff|Error)\\)`),
      );
  });

  it('stops waiting when cancelled', async () => {
    const namespace = await crashingWeb();
    const { env } = activityEnv();
    env.once('heartbeat', () => env.cancel());
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
    await expect(runActivity(c.activities.startComponents, input, env)).rejects.toBeInstanceOf(CancelledFailure);
  });
});

describe('waitForComponents and getComponentStatus', () => {
  it('waits for ready, then for stopped, and reports the status at each end', async () => {
    const namespace = await c.newNamespace();
    await createDeployment(c, namespace, 'web', web.selector, 2);
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
    const [ready] = await runActivity(c.activities.waitForComponents, { ...input, state: 'ready' });
    expect(ready).toMatchObject({
      name: 'web',
      ready: true,
      stopped: false,
      workloads: [{ kind: 'Deployment', name: 'web', desiredReplicas: 2, readyReplicas: 2 }],
    });
    expect(ready?.pods.map((p) => [p.phase, p.ready])).toEqual([
      ['Running', true],
      ['Running', true],
    ]);
    await c.apps.patchNamespacedDeploymentScale({
      name: 'web',
      namespace,
      body: [{ op: 'replace', path: '/spec/replicas', value: 0 }],
    });
    const [stopped] = await runActivity(c.activities.waitForComponents, { ...input, state: 'stopped' });
    expect(stopped).toMatchObject({
      name: 'web',
      stopped: true,
      pods: [],
      workloads: [{ desiredReplicas: 0, readyReplicas: 0 }],
    });
  });

  it('reports pods that are not ready with the reason their containers give', async () => {
    const namespace = await crashingWeb();
    const input = { deploymentId: 'shop', namespace, components: [web] };
    await until('a crash reason on every pod', c.waitSeconds, async () => {
      const [status] = await runActivity(c.activities.getComponentStatus, input);
      return status?.pods.length === 2 && status.pods.every((p) => p.reason);
    });
    const [status] = await runActivity(c.activities.getComponentStatus, input);
    expect(status).toMatchObject({
      ready: false,
      stopped: false,
      workloads: [{ desiredReplicas: 2, readyReplicas: 0 }],
    });
    for (const pod of status?.pods ?? [])
      expect(pod).toMatchObject({ ready: false, reason: expect.stringMatching(/CrashLoopBackOff|Error/) });
  });
});
