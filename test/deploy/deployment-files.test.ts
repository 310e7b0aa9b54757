/**
 * The files that run Styrmin for real: the Dockerfile passes hadolint and copies every folder the
 * build compiles; the compose files pass `docker-compose config` and register the search
 * attributes runs set; the image, the manifests and the worker agree on the port, the probes and
 * the user; the cluster accepts deploy/worker.yaml (server-side dry run, after deploy/rbac.yaml).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ApiException, KubernetesObjectApi, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { searchAttributeKeys } from '../../contract/search-attributes.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { applyWorkerRbac, loadManifest, workerServiceAccount } from '../support/service-account.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(`${repo}Dockerfile`, 'utf8');
const workerManifest = `${repo}deploy/worker.yaml`;
const hadolint = `${repo}.styrmin/bin/hadolint`;

/** What `read` takes to name an object. */
function header({ apiVersion, kind, metadata }: KubernetesObject) {
  return { apiVersion, kind, metadata: { name: metadata?.name ?? '', namespace: metadata?.namespace } };
}

function workerDeployment(): V1Deployment {
  const deployment = loadManifest(workerManifest).find((o) => o.kind === 'Deployment');
  if (!deployment) throw new Error(`${workerManifest} has no Deployment`);
  return deployment as V1Deployment;
}

describe('the Dockerfile', () => {
  it('passes hadolint', async () => {
    if (!existsSync(hadolint)) throw new Error(`${hadolint} is missing: scripts/test.sh installs it`);
    await expect(promisify(execFile)(hadolint, ['--no-color', `${repo}Dockerfile`])).resolves.toBeDefined();
  });

  it('copies every file and folder the build compiles, and the drivers', () => {
    const build = JSON.parse(readFileSync(`${repo}tsconfig.build.json`, 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
      include: string[];
    };
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    for (const source of [...build.include, 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'drivers'])
      expect(copied).toContain(source);
  });
});

describe('the compose files', () => {
  const compose = (file: string) =>
    parse(readFileSync(`${repo}${file}`, 'utf8')) as {
      services: Record<
        string,
        { command?: string[]; depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] } }
      >;
    };

  it.each(['docker-compose.yml', 'docker-compose.dev.yml'])('%s passes docker-compose config', async (file) => {
    await expect(
      promisify(execFile)('docker-compose', ['-f', `${repo}${file}`, 'config', '--quiet'], { cwd: repo }),
    ).resolves.toBeDefined();
  });

  it('register every search attribute runs set, start the worker once they have, and probe its readiness', () => {
    const production = compose('docker-compose.yml').services;
    const dev = compose('docker-compose.dev.yml').services;
    for (const { name } of searchAttributeKeys) {
      expect(production['search-attributes']?.command?.join(' ')).toContain(name);
      expect(dev.temporal?.command).toContain(`--search-attribute=${name}=Keyword`);
    }
    expect(production.worker?.depends_on?.['search-attributes']).toEqual({
      condition: 'service_completed_successfully',
    });
    expect(production.temporal?.depends_on?.postgresql).toEqual({ condition: 'service_healthy' });
    for (const worker of [production.worker, dev.worker])
      expect(worker?.healthcheck?.test.join(' ')).toContain('/readyz');
  });
});

describe('image, manifests and worker agree', () => {
  const deployment = workerDeployment();
  const pod = deployment.spec!.template.spec!;
  const container = pod.containers[0]!;
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));

  it('on the HTTP port and the probes the worker serves', () => {
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toMatch(/STYRMIN_HTTP_PORT=8080/);
    expect(env.STYRMIN_HTTP_PORT).toBe('8080');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('on a user that is not root, and the ServiceAccount of deploy/rbac.yaml', () => {
    const [, user] = /^USER (\d+):\d+$/m.exec(dockerfile) ?? [];
    expect(Number(user)).toBeGreaterThan(0);
    expect(pod.securityContext?.runAsUser).toBe(Number(user));
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.serviceAccountName).toBe(workerServiceAccount.name);
    expect(deployment.metadata?.namespace).toBe(workerServiceAccount.namespace);
  });

  it('on stopping: the grace period outlasts the worker drain bound (25 s)', () => {
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(25);
  });
});

describe('deploy/worker.yaml in the cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(() => cluster?.close());

  it('is accepted by the API server after deploy/rbac.yaml (server-side dry run)', async () => {
    const kc = cluster.kubeConfig();
    await applyWorkerRbac(kc);
    const api = KubernetesObjectApi.makeApiClient(kc);
    const accepted: KubernetesObject[] = [];
    for (const object of loadManifest(workerManifest)) {
      accepted.push(
        await api.create(object, undefined, 'All').catch(async (err: unknown) => {
          if (!(err instanceof ApiException && err.code === 409)) throw err;
          const existing = await api.read(header(object));
          const metadata = { ...object.metadata, resourceVersion: existing.metadata?.resourceVersion };
          return api.replace({ ...object, metadata }, undefined, 'All');
        }),
      );
    }
    expect(accepted.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Secret/styrmin-temporal',
      'Deployment/styrmin-worker',
    ]);
    const deployment = accepted[1] as V1Deployment;
    expect(deployment.spec?.template.spec?.serviceAccountName).toBe(workerServiceAccount.name);
    // Dry run: nothing was created.
    await expect(api.read(header(accepted[1]!))).rejects.toMatchObject({ code: 404 });
  });
});
