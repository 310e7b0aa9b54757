/**
 * Waits woken by Kubernetes watches. The polls are made a minute apart here, so a wait that ends
 * within a few hundred milliseconds of the change it waits for was woken by its watch; and the
 * watches go through a proxy that shows which are open, and can refuse or cut them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledFailure } from '@temporalio/common';
import type { V1Deployment } from '@kubernetes/client-node';
import { FailureType } from '../../contract/failures.js';
import type { ComponentsInput } from '../../contract/kubernetes.js';
import { waitForState } from '../../activities/kubernetes/component-status.js';
import { kubeClients, type KubeClients } from '../../activities/kubernetes/workloads.js';
import type { KubeSim } from '../../kubesim/index.js';
import { describeSimOnly, startTestCluster, type TestCluster } from '../support/cluster.js';
import { startWatchProxy, type WatchProxy } from '../support/watch-proxy.js';
import { createBarePod, createDeployment } from './workloads.js';
import { activityEnv, failureOf, runActivity, until } from './fixtures.js';

let c: TestCluster;
let sim: KubeSim;
let proxy: WatchProxy;
let clients: KubeClients;
beforeAll(async () => {
  c = await startTestCluster();
  if (!c.sim) return;
  sim = c.sim;
  proxy = await startWatchProxy(c.kubeConfig());
  clients = kubeClients(proxy.kubeConfig());
});
afterAll(async () => {
  await proxy?.close();
  await c.close();
});
afterEach(() => {
  if (proxy) proxy.refuseWatches = false;
});

const web = { name: 'web', selector: { app: 'shop', component: 'web' } };
/** Only a wake can end these waits in time: the next poll is a minute away. */
const watchOnly = { intervalMs: 60_000, watchedIntervalMs: 60_000 };

/** web: a Deployment scaled to 0, and a bare pod of the component that holds a stop wait up until deleted. */
async function webWithStrayPod(): Promise<ComponentsInput> {
  const namespace = await c.newNamespace();
  await createDeployment(c, namespace, 'web', web.selector, 0);
  await createBarePod(c, namespace, 'web-debug', web.selector);
  return { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
}

/** Starts a wait as an activity; `finishedAt` is set when it ends, however it ends. */
function startWait(
  input: ComponentsInput,
  state: 'ready' | 'stopped',
  polling: { intervalMs?: number; watchedIntervalMs?: number },
  env = activityEnv().env,
) {
  const wait = { finishedAt: 0, done: undefined as unknown as Promise<void> };
  wait.done = runActivity((i: ComponentsInput) => waitForState(clients, i, state, polling), input, env).finally(
    () => (wait.finishedAt = Date.now()),
  );
  wait.done.catch(() => undefined); // the test awaits it; until then a failure is not unhandled
  return wait;
}

const watchesOf = (namespace: string) => proxy.openWatches().filter((w) => w.includes(`/namespaces/${namespace}/`));

/** Waits until the wait watches its `count` collections, then a little more: the look it takes then is over. */
async function watching(namespace: string, count: number): Promise<void> {
  await until('the wait to watch', 5, async () => watchesOf(namespace).length === count);
  await sleep(200);
}

/** Deletes the stray pod at once (no grace period: it is gone when the answer comes); returns when that was. */
async function deleteStrayPod(namespace: string): Promise<number> {
  await c.core.deleteNamespacedPod({ name: 'web-debug', namespace, gracePeriodSeconds: 0 });
  return Date.now();
}

describeSimOnly('waits woken by watches (kubesim only: a proxy on plain HTTP shows the watches)', () => {
  it('a stop wait ends within 150 ms of the last pod going, though its next poll is a minute away', async () => {
    const input = await webWithStrayPod();
    const wait = startWait(input, 'stopped', watchOnly);
    await watching(input.namespace, 1);
    expect(watchesOf(input.namespace)).toEqual([`/api/v1/namespaces/${input.namespace}/pods?app=shop,component=web`]);
    const goneAt = await deleteStrayPod(input.namespace);
    await wait.done;
    expect(wait.finishedAt - goneAt).toBeLessThan(150);
  });

  it("a ready wait ends within 150 ms of the Deployment's ready count reaching its replicas", async () => {
    const namespace = await c.newNamespace();
    await createDeployment(c, namespace, 'web', web.selector, 2);
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
    const wait = startWait(input, 'ready', watchOnly);
    // The simulator's store is in this process: read it every few milliseconds for when the Deployment got ready.
    let readyAt = 0;
    while (!readyAt && !wait.finishedAt) {
      const deployment = sim.get<V1Deployment>('apps/v1', 'Deployment', namespace, 'web');
      if (deployment?.status?.readyReplicas === 2) readyAt = Date.now();
      else await sleep(2);
    }
    await wait.done;
    expect(readyAt).toBeGreaterThan(0);
    expect(wait.finishedAt - readyAt).toBeLessThan(150);
  });

  it('a watch that is cut is started again, and wakes the wait as before', async () => {
    const input = await webWithStrayPod();
    const wait = startWait(input, 'stopped', watchOnly);
    await watching(input.namespace, 1);
    const requests = proxy.watchRequests;
    proxy.cutWatches();
    await until('the watch to start again', 5, async () => proxy.watchRequests > requests);
    await watching(input.namespace, 1);
    const goneAt = await deleteStrayPod(input.namespace);
    await wait.done;
    expect(wait.finishedAt - goneAt).toBeLessThan(150);
  });

  it('when watches are refused, the wait polls every 300 ms, says why, and still ends', async () => {
    proxy.refuseWatches = true;
    const input = await webWithStrayPod();
    const { env, logs } = activityEnv();
    const requests = proxy.watchRequests;
    const wait = startWait(input, 'stopped', { watchedIntervalMs: 60_000 }, env);
    await until('the wait to say why it polls', 5, async () => logs.some((l) => l.level === 'WARN'));
    expect(proxy.watchRequests).toBeGreaterThan(requests);
    const goneAt = await deleteStrayPod(input.namespace);
    await wait.done;
    expect(wait.finishedAt - goneAt).toBeLessThan(300 + 150);
    expect(logs.map((l) => `${l.level} ${l.message}`)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^WARN Waiting for web .*: watching /api/v1/namespaces/${input.namespace}/pods \\(app=shop,component=web\\) ` +
            'failed: HTTP 403 Forbidden; polling every 300 ms meanwhile$',
        ),
      ),
    );
    // Its next attempt was due within a backoff; the wait's end called it off.
    const attempts = proxy.watchRequests;
    await sleep(1_000);
    expect(proxy.watchRequests).toBe(attempts);
  });
});

describeSimOnly('every watch of a wait is closed when the wait ends (kubesim only: the proxy shows them)', () => {
  /** No watch of the namespace stays open, and none starts again a while later. */
  async function expectNoWatches(namespace: string): Promise<void> {
    await until('the watches to close', 1, async () => watchesOf(namespace).length === 0);
    const requests = proxy.watchRequests;
    await sleep(500);
    expect([watchesOf(namespace), proxy.watchRequests]).toEqual([[], requests]);
  }

  it('when the components are ready (it watched their pods, Deployments and StatefulSets)', async () => {
    const namespace = await c.newNamespace();
    await createDeployment(c, namespace, 'web', web.selector, 1);
    const input = { deploymentId: 'shop', namespace, components: [web], timeoutSeconds: c.waitSeconds };
    const wait = startWait(input, 'ready', {});
    await until('the wait to watch', 5, async () => watchesOf(namespace).length === 3 || wait.finishedAt > 0);
    expect(watchesOf(namespace).sort()).toEqual([
      `/api/v1/namespaces/${namespace}/pods?app=shop,component=web`,
      `/apis/apps/v1/namespaces/${namespace}/deployments?app=shop,component=web`,
      `/apis/apps/v1/namespaces/${namespace}/statefulsets?app=shop,component=web`,
    ]);
    await wait.done;
    await expectNoWatches(namespace);
  });

  it('when it times out', async () => {
    const input = { ...(await webWithStrayPod()), timeoutSeconds: 1 };
    const wait = startWait(input, 'stopped', {});
    await until('the wait to watch', 5, async () => watchesOf(input.namespace).length === 1);
    const failure = await failureOf(wait.done);
    expect(failure.type).toBe(FailureType.WaitTimedOut);
    await expectNoWatches(input.namespace);
  });

  it('when the activity is cancelled', async () => {
    const input = await webWithStrayPod();
    const { env } = activityEnv();
    const wait = startWait(input, 'stopped', {}, env);
    await until('the wait to watch', 5, async () => watchesOf(input.namespace).length === 1);
    env.cancel();
    await expect(wait.done).rejects.toBeInstanceOf(CancelledFailure);
    await expectNoWatches(input.namespace);
  });

  it('when a check fails (the component is gone)', async () => {
    const input = await webWithStrayPod();
    const wait = startWait(input, 'stopped', watchOnly);
    await watching(input.namespace, 1);
    await c.apps.deleteNamespacedDeployment({ name: 'web', namespace: input.namespace });
    await deleteStrayPod(input.namespace); // wakes the wait, whose next look finds no workload
    const failure = await failureOf(wait.done);
    expect(failure.type).toBe(FailureType.ComponentNotFound);
    await expectNoWatches(input.namespace);
  });
});
