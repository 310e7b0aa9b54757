import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';

let sim: KubeSim;
let core: CoreV1Api;

beforeEach(async () => {
  sim = await startKubeSim();
  core = sim.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'shop' } } });
});
afterEach(() => sim.close());

async function failure(call: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) return err as ApiException<string>;
    throw err;
  }
  throw new Error('expected the request to fail');
}

describe('kubesim fault injection', () => {
  it('answers 500 for the given number of matching requests, then serves normally', async () => {
    sim.faults.inject({ status: 500, count: 2, match: { method: 'GET', pathIncludes: '/namespaces/shop' } });
    const first = await failure(core.readNamespace({ name: 'shop' }));
    expect(first.code).toBe(500);
    expect(JSON.parse(first.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Internal error occurred: injected fault',
      reason: 'InternalError',
      code: 500,
    });
    await core.listNamespace();
    expect((await failure(core.readNamespace({ name: 'shop' }))).code).toBe(500);
    expect((await core.readNamespace({ name: 'shop' })).metadata?.name).toBe('shop');
    expect(sim.requests.map((r) => r.status)).toEqual([201, 500, 200, 500, 200]);
    expect(sim.faults.pending).toBe(0);
  });

  it('fails a seeded share of matching requests at random until cleared, counting them by kind', async () => {
    const outcomes = async () => {
      const codes: number[] = [];
      for (let i = 0; i < 200; i++)
        codes.push(
          await core.readNamespace({ name: 'shop' }).then(
            () => 200,
            (err: ApiException<string>) => err.code,
          ),
        );
      return codes;
    };
    sim.faults.chaos({ rate: 0.25, faults: [{ status: 500 }, { status: 503 }], match: { method: 'GET' }, seed: 3 });
    const first = await outcomes();
    const failed = first.filter((code) => code !== 200).length;
    expect(failed).toBeGreaterThan(25);
    expect(failed).toBeLessThan(75);
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
    expect((sim.faults.chaosCounts['500'] ?? 0) + (sim.faults.chaosCounts['503'] ?? 0)).toBe(failed);
    await core.createNamespace({ body: { metadata: { name: 'not-matched' } } });
    // The same seed fails the same requests.
    sim.faults.chaos({ rate: 0.25, faults: [{ status: 500 }, { status: 503 }], match: { method: 'GET' }, seed: 3 });
    expect(await outcomes()).toEqual(first);
    sim.faults.clear();
    expect((await outcomes()).every((code) => code === 200)).toBe(true);
  });

  it('answers 429 with Retry-After', async () => {
    sim.faults.inject({ status: 429, retryAfterSeconds: 2 });
    const err = await failure(core.listNamespacedPod({ namespace: 'shop' }));
    expect(err.code).toBe(429);
    expect(err.headers['retry-after']).toBe('2');
    expect(JSON.parse(err.body)).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 2 },
      code: 429,
    });
  });

  it('drops the connection without an answer', async () => {
    sim.faults.dropConnections({ count: 1, match: { pathIncludes: '/configmaps' } });
    await expect(core.listNamespacedConfigMap({ namespace: 'shop' })).rejects.toThrow(
      /socket hang up|ECONNRESET|terminated|other side closed/i,
    );
    expect((await core.listNamespacedConfigMap({ namespace: 'shop' })).items).toEqual([]);
    expect(sim.requests.filter((r) => r.path.endsWith('/configmaps')).map((r) => r.status)).toEqual([0, 200]);
  });

  it('answers 403 naming the user, verb, resource, API group and namespace like RBAC does', async () => {
    const apps = sim.kubeConfig().makeApiClient(AppsV1Api);
    sim.faults.inject({ status: 403, match: { method: 'PATCH' } });
    const err = await failure(
      apps.patchNamespacedDeploymentScale(
        { name: 'web', namespace: 'shop', body: { spec: { replicas: 0 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(JSON.parse(err.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'deployments.apps "web" is forbidden: User "kubesim-admin" cannot patch resource "deployments/scale" in API group "apps" in the namespace "shop"',
      reason: 'Forbidden',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 403,
    });
    sim.faults.inject({ status: 403 });
    const list = await failure(core.listNamespace());
    expect(JSON.parse(list.body).message).toBe(
      'namespaces is forbidden: User "kubesim-admin" cannot list resource "namespaces" in API group "" at the cluster scope',
    );
  });

  it('delays matching requests until cleared, and answers 401 and 503', async () => {
    sim.faults.delay({ ms: 150, match: { pathIncludes: '/secrets' } });
    const started = Date.now();
    await core.listNamespacedSecret({ namespace: 'shop' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sim.faults.clear();
    sim.faults.inject({ status: 401 });
    expect((await failure(core.listNamespacedSecret({ namespace: 'shop' }))).code).toBe(401);
    sim.faults.inject({ status: 503 });
    const unavailable = await failure(core.listNamespacedSecret({ namespace: 'shop' }));
    expect(JSON.parse(unavailable.body)).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
  });

  it('rejects a wrong bearer token with 401', async () => {
    const kc = sim.kubeConfig();
    const user = kc.getCurrentUser();
    if (user) Object.assign(user, { token: 'wrong' });
    const err = await failure(kc.makeApiClient(CoreV1Api).listNamespace());
    expect(err.code).toBe(401);
  });
});
