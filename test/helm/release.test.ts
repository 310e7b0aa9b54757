import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { NEVER_READY_ANNOTATION, startKubeSim } from '../../kubesim/index.js';
import { findHelm } from '../../activities/helm.js';
import { createReleaseActivities, type ReleaseChartInput, type ReleaseChartResult } from '../../activities/release.js';
import { FailureType } from '../../errors.js';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.js';
import { exampleChartDir, exampleContext, type ExampleRun } from './example-context.js';

type Sim = Awaited<ReturnType<typeof startKubeSim>>;
type Deployment = { spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> }; spec: { containers: Array<{ image: string; env?: Array<{ name: string; value?: string }> }> } } } };

let sim: Sim;
let repo: ChartRepo;
const neverReady = { [NEVER_READY_ANNOTATION]: 'true' };

beforeAll(async () => {
  [sim, repo] = await Promise.all([
    startKubeSim({ readyDelayMs: 200 }),
    startChartRepo({ charts: [{ dir: exampleChartDir }, { dir: exampleChartDir, version: '1.1.0', appVersion: '1.1.0' }] }),
  ]);
});
afterAll(async () => Promise.all([sim?.close(), repo?.close()]));

function kubeConfig() {
  return sim.kubeConfig();
}

/** Runs the activity as Temporal would, collecting its heartbeats. */
function activityEnv(pendingStaleAfterSeconds?: number) {
  const logs: LogEntry[] = [];
  const logger = new DefaultLogger('INFO', (entry) => logs.push(entry));
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 }, { logger });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  const { releaseChart } = createReleaseActivities({ kubeConfig, pendingStaleAfterSeconds });
  return { env, heartbeats, logs, release: (input: ReleaseChartInput) => env.run(releaseChart, input) as Promise<ReleaseChartResult> };
}

async function namespace(name: string): Promise<string> {
  await sim.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
  return name;
}

function input(hook: 'setup' | 'upgrade', run: Omit<ExampleRun, 'repoUrl'>, extra: Partial<ReleaseChartInput> = {}): ReleaseChartInput {
  return { deploymentId: run.namespace, hook, context: exampleContext({ ...run, repoUrl: repo.url }), ...extra };
}

const v1 = { chartVersion: '1.0.0', appVersion: '1.0.0' };
const v11 = { chartVersion: '1.1.0', appVersion: '1.1.0' };

async function helm(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(findHelm(), [...args, '--kubeconfig', sim.kubeconfigPath]);
  return stdout;
}

async function history(release: string): Promise<Array<{ revision: number; status: string }>> {
  return (JSON.parse(await helm(['history', release, '-n', release, '-o', 'json'])) as Array<{ revision: number; status: string }>).map(
    ({ revision, status }) => ({ revision, status }),
  );
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the real helm on a never-ready upgrade (or install) and resolves once the release is pending. */
async function startStuckHelm(release: string, chartVersion: string, timeout: string) {
  const values = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stuck-')), 'values.json');
  fs.writeFileSync(values, JSON.stringify({ podAnnotations: neverReady }));
  const child = spawn(findHelm(), ['upgrade', '--install', release, '--repo', repo.url, 'example-app', '--version', chartVersion,
    '-n', release, '--values', values, '--wait', '--timeout', timeout, '--kubeconfig', sim.kubeconfigPath], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const pending = await waitFor('a pending revision', async () =>
    (await history(release)).find((r) => r.status.startsWith('pending-')) ?? undefined);
  return { child, exited, pending };
}

function deployment(ns: string, name: string): Deployment {
  return sim.get('apps/v1', 'Deployment', ns, name) as unknown as Deployment;
}

describe('releaseChart with the real helm', () => {
  it('installs, leaves an identical re-run unchanged, then upgrades to a new chart and app version', async () => {
    const ns = await namespace('shop-a');
    const { release, heartbeats, logs } = activityEnv();
    const installed = await release(input('setup', { namespace: ns, ...v1 }));
    // helm's output is in the activity log; the values (with the admin password) never are.
    expect(logs).toContainEqual(expect.objectContaining({ message: 'helm upgrade shop-a: exit 0', meta: expect.objectContaining({ stdout: expect.stringContaining('STATUS: deployed') }) }));
    expect(JSON.stringify(logs.map(({ message, meta }) => ({ message, meta })))).not.toContain('initial-secret');
    expect(installed).toMatchObject({ release: ns, namespace: ns, revision: 1, status: 'deployed', chart: 'example-app', chartVersion: '1.0.0', appVersion: '1.0.0', action: 'installed' });
    expect(installed.output).toContain('STATUS: deployed');
    expect(heartbeats.length).toBeGreaterThan(0);
    const server = deployment(ns, 'server');
    expect(server.spec.replicas).toBe(2);
    expect(server.spec.template.spec.containers[0]?.image).toBe('registry.example.com/example-app:1.0.0');
    expect(server.spec.template.spec.containers[0]?.env).toContainEqual({ name: 'EXAMPLE_APP_LOG_FORMAT', value: 'json' });
    expect(deployment(ns, 'task-worker').spec.replicas).toBe(2);
    const secret = sim.get('v1', 'Secret', ns, 'example-app-admin') as unknown as { data: Record<string, string> };
    expect(Buffer.from(secret.data['admin-password']!, 'base64').toString()).toBe('initial-secret');

    const again = await release(input('setup', { namespace: ns, ...v1 }));
    expect(again).toMatchObject({ revision: 1, action: 'unchanged', status: 'deployed' });

    const upgraded = await release(input('upgrade', { namespace: ns, ...v11, parameters: { replicas: 3 } }));
    expect(upgraded).toMatchObject({ revision: 2, action: 'upgraded', status: 'deployed', chartVersion: '1.1.0', appVersion: '1.1.0' });
    expect(deployment(ns, 'server').spec.template.spec.containers[0]?.image).toBe('registry.example.com/example-app:1.1.0');
    expect(deployment(ns, 'server').spec.replicas).toBe(3);
    expect(await history(ns)).toEqual([{ revision: 1, status: 'superseded' }, { revision: 2, status: 'deployed' }]);
  }, 90_000);

  it('rolls a failed upgrade back and says what state the release is in', async () => {
    const ns = await namespace('shop-b');
    const { release } = activityEnv();
    await release(input('setup', { namespace: ns, ...v1 }));
    const failed = release(input('upgrade', { namespace: ns, ...v11, podAnnotations: neverReady }, { timeoutSeconds: 3 }));
    await expect(failed).rejects.toMatchObject({
      type: FailureType.ReleaseFailed,
      nonRetryable: true,
      message: expect.stringMatching(/helm upgrade of release "shop-b" \(example-app-1\.1\.0\)[\s\S]*(deadline|timed out)[\s\S]*Release now: rolled back to revision 1 \(example-app-1\.0\.0, app 1\.0\.0\)/),
    });
    expect(await history(ns)).toEqual([
      { revision: 1, status: 'superseded' },
      { revision: 2, status: 'failed' },
      { revision: 3, status: 'deployed' },
    ]);
    expect(deployment(ns, 'server').spec.template.metadata.annotations).not.toHaveProperty(NEVER_READY_ANNOTATION);
    expect(deployment(ns, 'server').spec.template.spec.containers[0]?.image).toBe('registry.example.com/example-app:1.0.0');
  }, 90_000);

  it('keeps a failed first install for inspection, and a later run upgrades over it', async () => {
    const ns = await namespace('shop-c');
    const { release } = activityEnv();
    await expect(release(input('setup', { namespace: ns, ...v1, podAnnotations: neverReady }, { timeoutSeconds: 3 }))).rejects.toMatchObject({
      type: FailureType.ReleaseFailed,
      message: expect.stringContaining('Release now: kept at revision 1 (failed) for inspection'),
    });
    expect(await history(ns)).toEqual([{ revision: 1, status: 'failed' }]);
    expect(await release(input('setup', { namespace: ns, ...v1 }))).toMatchObject({ revision: 2, status: 'deployed', action: 'upgraded' });
  }, 90_000);

  it('rolls back an upgrade a killed helm left pending, then upgrades', async () => {
    const ns = await namespace('shop-d');
    const { release } = activityEnv(1);
    await release(input('setup', { namespace: ns, ...v1 }));
    const stuck = await startStuckHelm(ns, '1.0.0', '120s');
    expect(stuck.pending).toEqual({ revision: 2, status: 'pending-upgrade' });
    stuck.child.kill('SIGKILL');
    await stuck.exited;
    const result = await release(input('upgrade', { namespace: ns, ...v11 }));
    expect(result.recovered).toMatch(/^rolled back revision 2 \(pending-upgrade, since .*\) to revision 1$/);
    expect(result).toMatchObject({ action: 'upgraded', status: 'deployed', chartVersion: '1.1.0', revision: 4 });
  }, 90_000);

  it('uninstalls a first install a killed helm left pending, then installs', async () => {
    const ns = await namespace('shop-e');
    const { release } = activityEnv(1);
    const stuck = await startStuckHelm(ns, '1.0.0', '120s');
    expect(stuck.pending).toEqual({ revision: 1, status: 'pending-install' });
    stuck.child.kill('SIGKILL');
    await stuck.exited;
    const result = await release(input('setup', { namespace: ns, ...v1 }));
    expect(result.recovered).toMatch(/^uninstalled revision 1 \(pending-install/);
    expect(result).toMatchObject({ action: 'installed', revision: 1, status: 'deployed' });
  }, 90_000);

  it('waits for a helm that is still working on the release instead of breaking in', async () => {
    const ns = await namespace('shop-f');
    const { release, heartbeats } = activityEnv();
    await release(input('setup', { namespace: ns, ...v1 }));
    const stuck = await startStuckHelm(ns, '1.0.0', '4s');
    const result = await release(input('upgrade', { namespace: ns, ...v11 }, { timeoutSeconds: 30 }));
    await stuck.exited;
    expect(heartbeats).toContainEqual(expect.objectContaining({ step: 'waiting-for-pending', pending: 2 }));
    // The other helm failed; its revision is rolled back first so the upgrade merges against a clean state.
    expect(result.recovered).toMatch(/^rolled back revision 2 \(failed, since .*\) to revision 1$/);
    expect(result).toMatchObject({ action: 'upgraded', revision: 4, status: 'deployed' });
    expect((await history(ns)).map((r) => r.status)).toEqual(['superseded', 'failed', 'superseded', 'deployed']);
    expect(deployment(ns, 'server').spec.template.metadata.annotations).not.toHaveProperty(NEVER_READY_ANNOTATION);
  }, 90_000);

  it('stops helm when the activity is cancelled', async () => {
    const ns = await namespace('shop-g');
    const { env, release } = activityEnv();
    const running = release(input('setup', { namespace: ns, ...v1, podAnnotations: neverReady }, { timeoutSeconds: 60 }));
    await waitFor('the install to be pending', async () => ((await history(ns)).some((r) => r.status === 'pending-install') ? true : undefined));
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    const left = await waitFor('helm to mark the release', async () => {
      const rows = await history(ns);
      return rows.every((r) => !r.status.startsWith('pending-')) ? rows : undefined;
    });
    expect(left).toEqual([{ revision: 1, status: 'failed' }]);
  }, 90_000);

  it("fails with helm's message when the pinned chart version does not exist", async () => {
    const ns = await namespace('shop-h');
    const { release } = activityEnv();
    await expect(release(input('setup', { namespace: ns, chartVersion: '9.9.9', appVersion: '9.9.9' }))).rejects.toMatchObject({
      type: FailureType.ReleaseFailed,
      message: expect.stringMatching(/example-app-9\.9\.9[\s\S]*9\.9\.9[\s\S]*Release now: not installed/),
    });
  });
});
