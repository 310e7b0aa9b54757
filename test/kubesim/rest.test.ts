import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';

let sim: KubeSim;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeEach(async () => {
  sim = await startKubeSim({ readyDelayMs: 20 });
  core = sim.kubeConfig().makeApiClient(CoreV1Api);
  apps = sim.kubeConfig().makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: 'shop' } } });
});
afterEach(() => sim.close());

function deployment(name: string, labels: Record<string, string>, replicas = 1): V1Deployment {
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...labels } },
        spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
      },
    },
  };
}

async function statusOf(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException)
      return { code: err.code, body: JSON.parse(String(err.body)) as Record<string, unknown> };
    throw err;
  }
  throw new Error('expected the request to fail');
}

describe('kubesim REST through client-node', () => {
  it('creates, reads, replaces and deletes a ConfigMap with server-set metadata', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'settings' }, data: { a: '1' } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const read = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'shop' });
    expect(read.data).toEqual({ a: '1' });
    const replaced = await core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: 'shop',
      body: { ...read, data: { a: '2' } },
    });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'shop' });
    const missing = await statusOf(core.readNamespacedConfigMap({ name: 'settings', namespace: 'shop' }));
    expect(missing).toEqual({
      code: 404,
      body: expect.objectContaining({
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        message: 'configmaps "settings" not found',
        code: 404,
      }),
    });
  });

  it('answers 409 AlreadyExists, 404 for a missing namespace and 409 Conflict for a stale resourceVersion', async () => {
    await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'c' } } });
    const dup = await statusOf(
      core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'c' } } }),
    );
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "c" already exists', code: 409 });
    const noNs = await statusOf(
      core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'c' } } }),
    );
    expect(noNs.body).toMatchObject({ reason: 'NotFound', message: 'namespaces "nowhere" not found', code: 404 });
    const first = await core.readNamespacedConfigMap({ name: 'c', namespace: 'shop' });
    await core.replaceNamespacedConfigMap({ name: 'c', namespace: 'shop', body: { ...first, data: { x: '1' } } });
    const stale = await statusOf(
      core.replaceNamespacedConfigMap({ name: 'c', namespace: 'shop', body: { ...first, data: { x: '2' } } }),
    );
    expect(stale.body).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(stale.body.message).toContain('the object has been modified');
  });

  it('lists with label selectors (=, !=, in, notin, exists, !key) and field selectors', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: deployment('web', { tier: 'front', env: 'prod' }),
    });
    await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: deployment('api', { tier: 'back', env: 'prod' }),
    });
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('db', { tier: 'data' }) });
    const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> =>
      (await apps.listNamespacedDeployment({ namespace: 'shop', labelSelector, fieldSelector })).items.map(
        (d) => d.metadata?.name ?? '',
      );
    expect(await names('tier=front')).toEqual(['web']);
    expect(await names('tier!=front')).toEqual(['api', 'db']);
    expect(await names('tier in (front,back)')).toEqual(['api', 'web']);
    expect(await names('tier notin (front,back)')).toEqual(['db']);
    expect(await names('env')).toEqual(['api', 'web']);
    expect(await names('!env')).toEqual(['db']);
    expect(await names('env=prod,tier=back')).toEqual(['api']);
    expect(await names(undefined, 'metadata.name=db')).toEqual(['db']);
    const all = await apps.listDeploymentForAllNamespaces({ labelSelector: 'env=prod' });
    expect(all.items).toHaveLength(2);
  });

  it('patches with merge, JSON and strategic merge patches (containers merge by name, $patch: delete)', async () => {
    const body = deployment('web', {});
    body.spec!.template.spec!.containers.push({ name: 'sidecar', image: 'busybox:1' });
    await apps.createNamespacedDeployment({ namespace: 'shop', body });
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'shop', body: { metadata: { labels: { team: 'a' } } } },
      merge,
    );
    await apps.patchNamespacedDeployment({
      name: 'web',
      namespace: 'shop',
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    });
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'shop',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'main', image: 'nginx:1.28' },
                  { name: 'sidecar', $patch: 'delete' },
                ],
              },
            },
          },
        },
      },
      strategic,
    );
    expect(patched.metadata?.labels).toEqual({ team: 'a' });
    expect(patched.spec?.replicas).toBe(3);
    expect(patched.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['main=nginx:1.28']);
    expect(patched.metadata?.generation).toBe(3);
    const badJsonPatch = await statusOf(
      apps.patchNamespacedDeployment({
        name: 'web',
        namespace: 'shop',
        body: [{ op: 'test', path: '/spec/replicas', value: 9 }],
      }),
    );
    expect(badJsonPatch.code).toBe(422);
  });

  it('serves the scale subresource as autoscaling/v1 Scale for GET, PATCH and PUT', async () => {
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('web', {}, 2) });
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'shop' });
    expect(scale).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      spec: { replicas: 2 },
      status: { selector: 'app=web' },
    });
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: 'shop', body: { spec: { replicas: 0 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' })).spec?.replicas).toBe(0);
    const current = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'shop' });
    await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: 'shop',
      body: { ...current, spec: { replicas: 4 } },
    });
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' })).spec?.replicas).toBe(4);
    const stale = await statusOf(
      apps.replaceNamespacedDeploymentScale({
        name: 'web',
        namespace: 'shop',
        body: { ...current, spec: { replicas: 1 } },
      }),
    );
    expect(stale.code).toBe(409);
    const patchRequest = sim.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/web/scale'));
    expect(patchRequest).toEqual({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/shop/deployments/web/scale',
      query: {},
      status: 200,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 0 } },
    });
  });

  it('keeps status apart from spec: PUT ignores status, the status subresource ignores spec', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: { ...deployment('web', {}), status: { replicas: 99 } },
    });
    const created = await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' });
    expect(created.status?.replicas).not.toBe(99);
    await apps.patchNamespacedDeploymentStatus(
      {
        name: 'web',
        namespace: 'shop',
        body: { spec: { replicas: 7 }, status: { conditions: [{ type: 'Custom', status: 'True' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const after = await apps.readNamespacedDeploymentStatus({ name: 'web', namespace: 'shop' });
    expect(after.spec?.replicas).toBe(1);
  });

  it('deletes a collection by label selector and records every request', async () => {
    for (const name of ['a', 'b', 'c']) {
      await core.createNamespacedConfigMap({
        namespace: 'shop',
        body: { metadata: { name, labels: { group: name === 'c' ? 'other' : 'mine' } } },
      });
    }
    await core.deleteCollectionNamespacedConfigMap({ namespace: 'shop', labelSelector: 'group=mine' });
    const left = await core.listNamespacedConfigMap({ namespace: 'shop' });
    expect(left.items.map((c) => c.metadata?.name)).toEqual(['c']);
    expect(sim.requests.filter((r) => r.method === 'DELETE')).toEqual([
      {
        method: 'DELETE',
        path: '/api/v1/namespaces/shop/configmaps',
        query: { labelSelector: 'group=mine' },
        status: 200,
        contentType: 'application/json',
      },
    ]);
  });

  it('applies objects in-process and reads them back with get and list', async () => {
    await sim.apply(`
apiVersion: v1
kind: Namespace
metadata: {name: seeded}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: seeded, labels: {app: x}}
stringData: {password: hunter2}
`);
    const secret = sim.get<{ data: Record<string, string> } & { kind: string }>('v1', 'Secret', 'seeded', 'creds');
    expect(secret?.data.password).toBe(Buffer.from('hunter2').toString('base64'));
    expect(sim.list('v1', 'Secret', 'seeded', 'app=x')).toHaveLength(1);
    await sim.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'seeded' },
      stringData: { password: 'changed' },
    } as never);
    expect(
      sim.get<{ data: Record<string, string> } & { kind: string }>('v1', 'Secret', 'seeded', 'creds')?.data.password,
    ).toBe(Buffer.from('changed').toString('base64'));
    expect(sim.requests.some((r) => r.path.includes('seeded'))).toBe(false);
  });

  it('serves discovery for core and named groups, with the scale and exec subresources', async () => {
    const kc = sim.kubeConfig();
    const token = kc.getCurrentUser()?.token;
    const get = async (path: string): Promise<Record<string, unknown>> =>
      (await (await fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as Record<
        string,
        unknown
      >;
    const core = (await get('/api/v1')) as { resources: { name: string; kind: string }[] };
    expect(core.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'pods/exec', kind: 'PodExecOptions' }),
        expect.objectContaining({ name: 'secrets', kind: 'Secret' }),
      ]),
    );
    const appsList = (await get('/apis/apps/v1')) as { resources: { name: string; kind: string; group?: string }[] };
    expect(appsList.resources).toContainEqual(
      expect.objectContaining({ name: 'statefulsets/scale', kind: 'Scale', group: 'autoscaling' }),
    );
    const groups = (await get('/apis')) as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'batch', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io']),
    );
    expect(await get('/version')).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\.\d+\.\d+$/) });
  });

  it('works with the generic KubernetesObjectApi, which resolves resources through discovery', async () => {
    const objects = KubernetesObjectApi.makeApiClient(sim.kubeConfig());
    await objects.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      ...deployment('generic', {}),
      metadata: { name: 'generic', namespace: 'shop' },
    });
    const read = await objects.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'generic', namespace: 'shop' },
    });
    expect(read.metadata?.uid).toBeDefined();
    await objects.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'generic', namespace: 'shop', labels: { patched: 'yes' } },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.StrategicMergePatch,
    );
    expect(sim.get('apps/v1', 'Deployment', 'shop', 'generic')?.metadata?.labels).toEqual({ patched: 'yes' });
    const list = await objects.list('apps/v1', 'Deployment', 'shop');
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['generic']);
  });
});
