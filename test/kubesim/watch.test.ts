import { CoreV1Api, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { waitFor } from './wait-for.js';

let sim: KubeSim;
let core: CoreV1Api;

beforeEach(async () => {
  sim = await startKubeSim();
  core = sim.kubeConfig().makeApiClient(CoreV1Api);
});
afterEach(() => sim.close());

type Seen = { type: string; name: string; data?: Record<string, string> };

async function startWatch(
  query: Record<string, string>,
): Promise<{ events: Seen[]; stop: () => void; done: Promise<unknown> }> {
  const events: Seen[] = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise((resolve) => (finish = resolve));
  const controller = await new Watch(sim.kubeConfig()).watch(
    '/api/v1/namespaces/default/configmaps',
    query,
    (type, obj: V1ConfigMap) => events.push({ type, name: obj.metadata?.name ?? '', data: obj.data }),
    (err) => finish(err),
  );
  return { events, stop: () => controller.abort(), done };
}

describe('kubesim watch through client-node Watch', () => {
  it('streams ADDED, MODIFIED and DELETED events for matching objects', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'before', labels: { w: 'yes' } } },
    });
    const watch = await startWatch({ labelSelector: 'w=yes' });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'other' } } });
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'during', labels: { w: 'yes' } } },
    });
    await core.patchNamespacedConfigMap({
      name: 'during',
      namespace: 'default',
      body: [{ op: 'add', path: '/data', value: { k: 'v' } }],
    });
    await core.deleteNamespacedConfigMap({ name: 'during', namespace: 'default' });
    await waitFor(() => watch.events.length >= 4, 'four watch events');
    expect(watch.events).toEqual([
      { type: 'ADDED', name: 'before', data: undefined },
      { type: 'ADDED', name: 'during', data: undefined },
      { type: 'MODIFIED', name: 'during', data: { k: 'v' } },
      { type: 'DELETED', name: 'during', data: { k: 'v' } },
    ]);
    watch.stop();
  });

  it('resumes from a resourceVersion without replaying older state', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'old' } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'new' } } });
    const watch = await startWatch({ resourceVersion: list.metadata?.resourceVersion ?? '' });
    await waitFor(() => watch.events.length >= 1, 'the event after the listed resourceVersion');
    expect(watch.events).toEqual([{ type: 'ADDED', name: 'new', data: undefined }]);
    watch.stop();
  });

  it('ends the stream after timeoutSeconds, calling done', async () => {
    const watch = await startWatch({ timeoutSeconds: '1' });
    await expect(watch.done).resolves.toBeNull();
    const request = sim.requests.find((r) => r.query.watch === 'true');
    expect(request).toMatchObject({
      method: 'GET',
      path: '/api/v1/namespaces/default/configmaps',
      query: { watch: 'true', timeoutSeconds: '1' },
      status: 200,
    });
  });
});

describe('kubesim with client-node informers', () => {
  it('keeps an informer cache in step through list and watch', async () => {
    const { makeInformer } = await import('@kubernetes/client-node');
    const kc = sim.kubeConfig();
    const informer = makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const added: string[] = [];
    informer.on('add', (obj: V1ConfigMap) => added.push(obj.metadata?.name ?? ''));
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'listed' } } });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
    await waitFor(() => added.length === 2, 'both configmaps in the informer');
    expect(added).toEqual(['listed', 'watched']);
    expect(
      informer
        .list('default')
        .map((c) => c.metadata?.name)
        .sort(),
    ).toEqual(['listed', 'watched']);
    await informer.stop();
  });
});
