import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { helmBinary, runHelm, type HelmRun } from './helm-binary.js';

const CHART = {
  'Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\nappVersion: "1.0"\n',
  'values.yaml': 'replicas: 2\nmessage: hello\nneverReady: false\n',
  'templates/all.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  message: {{ .Values.message | quote }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: {app: {{ .Release.Name }}-web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}-web}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}-web}
      {{- if .Values.neverReady }}
      annotations: {kubesim.styrmin.io/never-ready: "true"}
      {{- end }}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env: [{name: MESSAGE, value: {{ .Values.message | quote }}}]
          ports: [{containerPort: 8080}]
`,
};

type Secret = { kind: string; type?: string; metadata: { name: string; labels?: Record<string, string> } };
type ConfigMap = { kind: string; data?: Record<string, string> };
type Deployment = { kind: string; status?: { readyReplicas?: number; updatedReplicas?: number } };

let sim: KubeSim;
let work: string;
let chart: string;

async function helm(...args: string[]): Promise<HelmRun> {
  return runHelm([...args, '--kubeconfig', sim.kubeconfigPath], {
    HELM_CACHE_HOME: join(work, 'cache'),
    HELM_CONFIG_HOME: join(work, 'config'),
    HELM_DATA_HOME: join(work, 'data'),
  });
}

async function ok(...args: string[]): Promise<string> {
  const result = await helm(...args);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  helmBinary(); // fails the suite with install instructions when helm is missing
  work = await mkdtemp(join(tmpdir(), 'kubesim-helm-'));
  for (const [file, text] of Object.entries(CHART)) {
    await mkdir(join(work, 'chart', file, '..'), { recursive: true });
    await writeFile(join(work, 'chart', file), text);
  }
  sim = await startKubeSim({ readyDelayMs: 100 });
  await sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await runHelm(['package', join(work, 'chart'), '-d', work], {});
  chart = join(work, 'shop-0.1.0.tgz');
});
afterAll(async () => {
  await sim?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('helm against kubesim', () => {
  it('installs with --wait, storing the release in a labelled Secret', async () => {
    await ok('upgrade', '--install', '--wait', '--timeout', '60s', 'rel', chart, '-n', 'shop');
    expect(sim.get<Deployment>('apps/v1', 'Deployment', 'shop', 'rel-web')?.status?.readyReplicas).toBe(2);
    expect(sim.get<ConfigMap>('v1', 'ConfigMap', 'shop', 'rel-config')?.data).toEqual({ message: 'hello' });
    const release = sim.get<Secret>('v1', 'Secret', 'shop', 'sh.helm.release.v1.rel.v1');
    expect(release?.type).toBe('helm.sh/release.v1');
    expect(release?.metadata.labels).toMatchObject({ owner: 'helm', name: 'rel', status: 'deployed', version: '1' });
    expect(
      sim.requests.some(
        (r) => r.path === '/api/v1/namespaces/shop/secrets' && String(r.query.labelSelector).includes('owner=helm'),
      ),
    ).toBe(true);
  });

  it('upgrades, rolling the pods, and reports status, history and values', async () => {
    await ok('upgrade', '--install', '--wait', '--timeout', '60s', 'rel', chart, '-n', 'shop', '--set', 'message=bye');
    expect(sim.get<ConfigMap>('v1', 'ConfigMap', 'shop', 'rel-config')?.data).toEqual({ message: 'bye' });
    const pods = sim.list<{ kind: string; spec: { containers: { env: { value: string }[] }[] } }>(
      'v1',
      'Pod',
      'shop',
      'app=rel-web',
    );
    expect(pods.length).toBeGreaterThanOrEqual(2);
    expect(pods.filter((p) => p.spec.containers[0]?.env[0]?.value === 'bye')).toHaveLength(2);
    const status = JSON.parse(await ok('status', 'rel', '-n', 'shop', '-o', 'json')) as {
      version: number;
      info: { status: string };
    };
    expect(status).toMatchObject({ version: 2, info: { status: 'deployed' } });
    const history = JSON.parse(await ok('history', 'rel', '-n', 'shop', '-o', 'json')) as {
      revision: number;
      status: string;
    }[];
    expect(history.map((h) => `${h.revision}:${h.status}`)).toEqual(['1:superseded', '2:deployed']);
    expect(JSON.parse(await ok('get', 'values', 'rel', '-n', 'shop', '-o', 'json'))).toEqual({ message: 'bye' });
    expect(sim.get<Secret>('v1', 'Secret', 'shop', 'sh.helm.release.v1.rel.v1')?.metadata.labels?.status).toBe(
      'superseded',
    );
  });

  it('rolls back to the first revision', async () => {
    await ok('rollback', 'rel', '1', '-n', 'shop', '--wait', '--timeout', '60s');
    expect(sim.get<ConfigMap>('v1', 'ConfigMap', 'shop', 'rel-config')?.data).toEqual({ message: 'hello' });
    const history = JSON.parse(await ok('history', 'rel', '-n', 'shop', '-o', 'json')) as {
      revision: number;
      status: string;
      description: string;
    }[];
    expect(history.at(-1)).toMatchObject({ revision: 3, status: 'deployed', description: 'Rollback to 1' });
  });

  it('fails --wait when the pods never become ready', async () => {
    const result = await helm(
      'upgrade',
      '--install',
      '--wait',
      '--timeout',
      '3s',
      'stuck',
      chart,
      '-n',
      'shop',
      '--set',
      'neverReady=true',
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/context deadline exceeded|timed out/);
    const history = JSON.parse(await ok('history', 'stuck', '-n', 'shop', '-o', 'json')) as { status: string }[];
    expect(history.map((h) => h.status)).toEqual(['failed']);
  });
});
