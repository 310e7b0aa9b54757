/**
 * releaseChart when the release's pods never become ready: failed and abandoned helm runs, and
 * cancellation while helm waits. Pods are held unready by `neverReadyPods`: the never-ready
 * annotation and a crashing container, so these tests run on the simulator and real clusters.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { NEVER_READY_ANNOTATION } from '../../kubesim/index.js';
import { findHelm } from '../../activities/helm/binary.js';
import { onSim } from '../support/cluster.js';

/** The compiled runHelm (npm test builds dist/ first), for a process that stands in for a worker. */
const compiledBinary = new URL('../../dist/activities/helm/binary.js', import.meta.url).href;
import { FailureType } from '../../contract/failures.js';
import {
  chartImage,
  neverReadyPods,
  releaseTestTimeoutMs,
  history,
  readDeployment,
  releaseEnv,
  releaseInput,
  startReleaseHarness,
  v1,
  v11,
  waitFor,
  type ReleaseHarness,
} from './release-harness.js';

describe('releaseChart on pods that never become ready', () => {
  let h: ReleaseHarness;

  beforeAll(async () => {
    h = await startReleaseHarness();
  });
  afterAll(async () => h?.close());

  /** Starts the real helm on a never-ready upgrade (or install) and resolves once the release is pending. */
  async function startStuckHelm(release: string, chartVersion: string, timeout: string) {
    const values = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stuck-')), 'values.json');
    const command = neverReadyPods.componentCommand;
    fs.writeFileSync(
      values,
      JSON.stringify({ podAnnotations: neverReadyPods.podAnnotations, server: { command }, taskWorker: { command } }),
    );
    const child = spawn(
      findHelm(),
      [
        'upgrade',
        '--install',
        release,
        '--repo',
        h.repo.url,
        'example-app',
        '--version',
        chartVersion,
        '-n',
        release,
        '--values',
        values,
        '--wait',
        '--timeout',
        timeout,
        '--kubeconfig',
        h.cluster.kubeconfigPath,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const pending = await waitFor(
      'a pending revision',
      async () => (await history(h, release)).find((r) => r.status.startsWith('pending-')) ?? undefined,
    );
    return { child, exited, pending };
  }

  const serverTemplate = async (ns: string) => (await readDeployment(h, ns, 'server')).spec?.template;

  it(
    'rolls a failed upgrade back and says what state the release is in',
    async () => {
      const ns = await h.cluster.newNamespace();
      const { release } = releaseEnv(h);
      await release(releaseInput(h, 'setup', { namespace: ns, ...v1 }));
      const failed = release(
        releaseInput(h, 'upgrade', { namespace: ns, ...v11, ...neverReadyPods }, { timeoutSeconds: 3 }),
      );
      await expect(failed).rejects.toMatchObject({
        type: FailureType.ReleaseFailed,
        nonRetryable: true,
        message: expect.stringMatching(
          new RegExp(
            `helm upgrade of release "${ns}" \\(example-app-1\\.1\\.0\\)[\\s\\S]*(deadline|timed out)[\\s\\S]*Release now: rolled back to revision 1 \\(example-app-1\\.0\\.0, app ${v1.appVersion.replaceAll('.', '\\.')}\\)`,
          ),
        ),
      });
      expect(await history(h, ns)).toEqual([
        { revision: 1, status: 'superseded' },
        { revision: 2, status: 'failed' },
        { revision: 3, status: 'deployed' },
      ]);
      expect((await serverTemplate(ns))?.metadata?.annotations).not.toHaveProperty(NEVER_READY_ANNOTATION);
      expect((await serverTemplate(ns))?.spec?.containers[0]?.image).toBe(`${chartImage.repository}:${chartImage.v1}`);
    },
    releaseTestTimeoutMs,
  );

  it(
    'keeps a failed first install for inspection, and a later run upgrades over it',
    async () => {
      const ns = await h.cluster.newNamespace();
      const { release } = releaseEnv(h);
      await expect(
        release(releaseInput(h, 'setup', { namespace: ns, ...v1, ...neverReadyPods }, { timeoutSeconds: 3 })),
      ).rejects.toMatchObject({
        type: FailureType.ReleaseFailed,
        message: expect.stringContaining('Release now: kept at revision 1 (failed) for inspection'),
      });
      expect(await history(h, ns)).toEqual([{ revision: 1, status: 'failed' }]);
      expect(await release(releaseInput(h, 'setup', { namespace: ns, ...v1 }))).toMatchObject({
        revision: 2,
        status: 'deployed',
        action: 'upgraded',
      });
    },
    releaseTestTimeoutMs,
  );

  it(
    'rolls back an upgrade a killed helm left pending, then upgrades',
    async () => {
      const ns = await h.cluster.newNamespace();
      const { release } = releaseEnv(h, 1);
      await release(releaseInput(h, 'setup', { namespace: ns, ...v1 }));
      const stuck = await startStuckHelm(ns, '1.0.0', '120s');
      expect(stuck.pending).toEqual({ revision: 2, status: 'pending-upgrade' });
      stuck.child.kill('SIGKILL');
      await stuck.exited;
      const result = await release(releaseInput(h, 'upgrade', { namespace: ns, ...v11 }));
      expect(result.recovered).toMatch(/^rolled back revision 2 \(pending-upgrade, since .*\) to revision 1$/);
      expect(result).toMatchObject({ action: 'upgraded', status: 'deployed', chartVersion: '1.1.0', revision: 4 });
    },
    releaseTestTimeoutMs,
  );

  it(
    'recovers within seconds a pending revision that an earlier attempt of the step started',
    async () => {
      const ns = await h.cluster.newNamespace();
      await releaseEnv(h).release(releaseInput(h, 'setup', { namespace: ns, ...v1 }));
      const scheduledTimestampMs = Date.now();
      const stuck = await startStuckHelm(ns, '1.0.0', '120s');
      stuck.child.kill('SIGKILL');
      await stuck.exited;
      // Attempt 2 of a step scheduled before the pending revision began: the revision is attempt 1's,
      // so the step waits 10 s for it to change, not the stale age (here the default: its timeout + 60 s).
      const { release } = releaseEnv(h, undefined, { attempt: 2, scheduledTimestampMs });
      const started = Date.now();
      const result = await release(releaseInput(h, 'upgrade', { namespace: ns, ...v11 }));
      expect(result.recovered).toMatch(/^rolled back revision 2 \(pending-upgrade, since .*\) to revision 1$/);
      expect(result).toMatchObject({ action: 'upgraded', status: 'deployed', revision: 4 });
      expect(Date.now() - started).toBeLessThan(onSim ? 25_000 : 120_000);
    },
    releaseTestTimeoutMs,
  );

  it(
    'stops helm when the worker running it dies',
    async () => {
      const ns = await h.cluster.newNamespace();
      await releaseEnv(h).release(releaseInput(h, 'setup', { namespace: ns, ...v1 }));
      // A worker stand-in: runs helm as the release step does, then is killed with SIGKILL.
      const args = ['upgrade', ns, '--repo', h.repo.url, 'example-app', '--version', '1.0.0', '-n', ns];
      const values = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stuck-')), 'values.json');
      const command = neverReadyPods.componentCommand;
      const podAnnotations = neverReadyPods.podAnnotations;
      fs.writeFileSync(values, JSON.stringify({ podAnnotations, server: { command }, taskWorker: { command } }));
      const helmArgs = JSON.stringify([...args, '--values', values, '--wait', '--timeout', '120s']);
      const options = JSON.stringify({ kubeconfigPath: h.cluster.kubeconfigPath });
      const script = `import(${JSON.stringify(compiledBinary)}).then((m) => m.runHelm(${helmArgs}, ${options}))`;
      const worker = spawn(process.execPath, ['-e', script], { stdio: 'ignore', detached: true });
      await waitFor('a pending revision', async () =>
        (await history(h, ns)).some((r) => r.status === 'pending-upgrade') ? true : undefined,
      );
      process.kill(worker.pid!, 'SIGKILL');
      // helm, told by its guard, marks the release failed instead of running on.
      const left = await waitFor('helm to stop and mark the release', async () => {
        const rows = await history(h, ns);
        return rows.every((r) => !r.status.startsWith('pending-')) ? rows : undefined;
      });
      expect(left).toEqual([
        { revision: 1, status: 'deployed' },
        { revision: 2, status: 'failed' },
      ]);
    },
    releaseTestTimeoutMs,
  );

  it(
    'uninstalls a first install a killed helm left pending, then installs',
    async () => {
      const ns = await h.cluster.newNamespace();
      const { release } = releaseEnv(h, 1);
      const stuck = await startStuckHelm(ns, '1.0.0', '120s');
      expect(stuck.pending).toEqual({ revision: 1, status: 'pending-install' });
      stuck.child.kill('SIGKILL');
      await stuck.exited;
      const result = await release(releaseInput(h, 'setup', { namespace: ns, ...v1 }));
      expect(result.recovered).toMatch(/^uninstalled revision 1 \(pending-install/);
      expect(result).toMatchObject({ action: 'installed', revision: 1, status: 'deployed' });
    },
    releaseTestTimeoutMs,
  );

  it(
    'waits for a helm that is still working on the release instead of breaking in',
    async () => {
      const ns = await h.cluster.newNamespace();
      const { release, heartbeats } = releaseEnv(h);
      await release(releaseInput(h, 'setup', { namespace: ns, ...v1 }));
      const stuck = await startStuckHelm(ns, '1.0.0', '4s');
      const result = await release(releaseInput(h, 'upgrade', { namespace: ns, ...v11 }, { timeoutSeconds: 30 }));
      await stuck.exited;
      expect(heartbeats).toContainEqual(expect.objectContaining({ step: 'waiting-for-pending', pending: 2 }));
      // The other helm failed; its revision is rolled back first so the upgrade merges against a clean state.
      expect(result.recovered).toMatch(/^rolled back revision 2 \(failed, since .*\) to revision 1$/);
      expect(result).toMatchObject({ action: 'upgraded', revision: 4, status: 'deployed' });
      expect((await history(h, ns)).map((r) => r.status)).toEqual(['superseded', 'failed', 'superseded', 'deployed']);
      expect((await serverTemplate(ns))?.metadata?.annotations).not.toHaveProperty(NEVER_READY_ANNOTATION);
    },
    releaseTestTimeoutMs,
  );

  it(
    'stops helm when the activity is cancelled',
    async () => {
      const ns = await h.cluster.newNamespace();
      const { env, release } = releaseEnv(h);
      const running = release(
        releaseInput(h, 'setup', { namespace: ns, ...v1, ...neverReadyPods }, { timeoutSeconds: 60 }),
      );
      await waitFor('the install to be pending', async () =>
        (await history(h, ns)).some((r) => r.status === 'pending-install') ? true : undefined,
      );
      env.cancel();
      await expect(running).rejects.toBeInstanceOf(CancelledFailure);
      const left = await waitFor('helm to mark the release', async () => {
        const rows = await history(h, ns);
        return rows.every((r) => !r.status.startsWith('pending-')) ? rows : undefined;
      });
      expect(left).toEqual([{ revision: 1, status: 'failed' }]);
    },
    releaseTestTimeoutMs,
  );
});
