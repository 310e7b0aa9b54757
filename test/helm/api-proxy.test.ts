/**
 * The proxy between helm and the API server (activities/helm/api-proxy.ts): real helm, through the
 * proxy, installs and upgrades the example chart while a quarter of the API requests fail; without
 * the proxy the same helm fails. Runs on the Kubernetes API test server only (kubesim only: the
 * faults come from its fault hook).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { isTransientHelmFailure, runHelm, type HelmResult } from '../../activities/helm/binary.js';
import { startApiProxy, type ApiProxy } from '../../activities/helm/api-proxy.js';
import { startKubeSim, type ChaosFaults, type KubeSim } from '../../kubesim/index.js';
import { startChartRepo, type ChartRepo } from '../../runtime/chart-repository.js';
import { describeSimOnly } from '../support/cluster.js';
import { exampleChartDir } from './example-context.js';

let sim: KubeSim;
let repo: ChartRepo;
let proxy: ApiProxy | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-proxy-test-'));

beforeEach(async () => {
  sim = await startKubeSim({ readyDelayMs: 50 });
  repo = await startChartRepo({
    charts: ['1.0.0', '1.1.0'].map((version) => ({ dir: exampleChartDir, version, appVersion: version })),
  });
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await repo.close();
  await sim.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A quarter of all requests fail, writes mostly after they were carried out. */
const chaos: ChaosFaults = {
  rate: 0.25,
  faults: [{ status: 500 }, { status: 503, retryAfterSeconds: 0 }, { status: 429, retryAfterSeconds: 0 }, 'drop'],
  afterWrites: true,
  seed: 7,
};

function helm(kubeconfigPath: string, args: string[]): Promise<HelmResult> {
  return runHelm(args, { kubeconfigPath, deadlineMs: 60_000 });
}

function release(kubeconfigPath: string, namespace: string, version: string): Promise<HelmResult> {
  const args = ['upgrade', '--install', 'shop', 'example-app', '--repo', repo.url, '--version', version];
  return helm(kubeconfigPath, [...args, '--namespace', namespace, '--create-namespace', '--wait', '--timeout', '60s']);
}

async function proxied(): Promise<string> {
  proxy = await startApiProxy(sim.kubeConfig(), { initialBackoffMs: 20 });
  const file = path.join(dir, `proxy-${Date.now()}.json`);
  fs.writeFileSync(file, proxy.kubeconfig, { mode: 0o600 });
  return file;
}

describeSimOnly('the API proxy in front of helm (kubesim only: faults come from its fault hook)', () => {
  it('gets an install and an upgrade through 25 % failing requests, which helm alone does not survive', async () => {
    sim.faults.chaos(chaos);
    const direct = await release(sim.kubeconfigPath, 'direct', '1.0.0');
    expect(direct.code).not.toBe(0);

    const kubeconfig = await proxied();
    const install = await release(kubeconfig, 'shop', '1.0.0');
    expect(install.stderr).toBe('');
    const upgrade = await release(kubeconfig, 'shop', '1.1.0');
    expect(upgrade.stderr).toBe('');
    sim.faults.clear();

    const history = await helm(kubeconfig, ['history', 'shop', '--namespace', 'shop', '--output', 'json']);
    const statuses = (JSON.parse(history.stdout) as Array<{ status: string }>).map((r) => r.status);
    expect(statuses).toEqual(['superseded', 'deployed']);
    const { retried, requests, gaveUp } = proxy!.stats;
    console.log(`through the proxy: ${requests} requests, retries ${JSON.stringify(retried)}, ${gaveUp} given up`);
    expect(Object.values(retried).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
    expect(sim.faults.chaosCounts['500 after the write'] ?? 0).toBeGreaterThan(0);
    expect(gaveUp).toBe(0);
  }, 120_000);

  it('answers a repeated create that meets its own object with the object, a repeated delete with success', async () => {
    await proxied();
    const kubeconfig = JSON.parse(proxy!.kubeconfig) as { clusters: Array<{ cluster: Record<string, unknown> }> };
    kubeconfig.clusters[0]!.cluster['insecure-skip-tls-verify'] = true; // the client refuses plain HTTP otherwise
    const kc = new KubeConfig();
    kc.loadFromString(JSON.stringify(kubeconfig));
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    // Carried out, then answered 500: the proxy's repeat meets AlreadyExists, then NotFound.
    sim.faults.inject({ status: 500, afterWrite: true, match: { method: 'POST', pathIncludes: '/configmaps' } });
    const created = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'settings' }, data: { mode: 'safe' } },
    });
    expect(created.data).toEqual({ mode: 'safe' });
    sim.faults.inject({ status: 500, afterWrite: true, match: { method: 'DELETE', pathIncludes: '/configmaps' } });
    await core.deleteNamespacedConfigMap({ namespace: 'shop', name: 'settings' });
    expect((await core.listNamespacedConfigMap({ namespace: 'shop' })).items).toEqual([]);
    expect(proxy!.stats.retried).toEqual({ 500: 2 });

    // A create refused for a reason of its own is not turned into a success.
    await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'settings' } } });
    await expect(
      core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'settings' } } }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('settles a repeated create of helm’s own release Secret, which client-go sends as protobuf', async () => {
    const kubeconfig = await proxied();
    sim.faults.inject({ status: 500, afterWrite: true, match: { method: 'POST', pathIncludes: '/secrets' } });
    const install = await release(kubeconfig, 'shop', '1.0.0');
    expect(install.stderr).toBe('');
    const creates = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/secrets'));
    // The release Secret: carried out and answered 500, then repeated and settled; then the chart's own Secret.
    expect(creates.map((r) => [r.status, r.contentType])).toEqual([
      [500, 'application/vnd.kubernetes.protobuf'],
      [409, 'application/vnd.kubernetes.protobuf'],
      [201, 'application/json'],
    ]);
  });

  it('gives up when a request keeps failing past its budget, and helm sees the error', async () => {
    proxy = await startApiProxy(sim.kubeConfig(), { initialBackoffMs: 20, requestBudgetMs: 300 });
    const file = path.join(dir, 'budget.json');
    fs.writeFileSync(file, proxy.kubeconfig, { mode: 0o600 });
    sim.faults.chaos({ rate: 1, faults: [{ status: 500 }] });
    const result = await helm(file, ['list', '--namespace', 'shop']);
    expect(result.code).not.toBe(0);
    expect(isTransientHelmFailure(result)).toBe(true); // so the release step retries, later
    expect(proxy.stats.gaveUp).toBeGreaterThan(0);
  });

  it('refuses requests without the kubeconfig’s path secret', async () => {
    await proxied();
    const server = JSON.parse(proxy!.kubeconfig).clusters[0].cluster.server as string;
    const origin = new URL(server).origin;
    const response = await fetch(`${origin}/api/v1/namespaces`);
    expect(response.status).toBe(401);
    expect((await fetch(`${server}/api/v1/namespaces`)).status).toBe(200);
  });
});
