/**
 * The worker as operators run it: `npm run worker`, i.e. the compiled `dist/worker.js`, configured
 * by environment. It bundles the workflows from dist/ too, so these tests cover the build.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { connectClient, startSetup, waitForRun } from '../../client.js';
import { FailureType } from '../../contract/failures.js';
import { startKubeSim } from '../../kubesim/index.js';
import { freeLoopbackPort } from '../../runtime/worker-http.js';
import { uniqueName } from '../support/temporal.js';
import { repo, started, startWorker } from '../support/worker-process.js';

const labTwin = fileURLToPath(new URL('../fixtures/drivers/lab-twin', import.meta.url));

describe('dist/worker.js', () => {
  it('refuses to start when a driver spec is invalid, naming file, line and field', async () => {
    const worker = startWorker({
      STYRMIN_DRIVERS: fileURLToPath(new URL('../fixtures/worker-drivers', import.meta.url)),
    });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain('invalid driver spec, not starting');
    expect(worker.output()).toMatch(/broken-app\/driver\.styrmin\.yml:12:\d+: spec\.actions\[0\]\.mode/);
  });

  it('with --prepare, builds the bundles (tracing off, on) into the cache once and exits without connecting', async () => {
    const cache = await mkdtemp(path.join(tmpdir(), 'styrmin-bundle-cache-'));
    // Nothing listens there: --prepare must not try.
    const env = { STYRMIN_DRIVERS: `${repo}drivers`, STYRMIN_BUNDLE_CACHE: cache, TEMPORAL_ADDRESS: '127.0.0.1:1' };
    try {
      const first = startWorker(env, ['--prepare']);
      expect(await first.exited).toBe(0);
      const built = (tracing: string) =>
        `styrmin worker: workflow bundle \\(tracing ${tracing}\\) built into .*workflows-[0-9a-f]+\\.js; drivers: example-app@1, second-app@2\n`;
      expect(first.output()).toMatch(new RegExp(`^${built('off')}${built('on')}$`));
      const second = startWorker(env, ['--prepare']);
      expect(await second.exited).toBe(0);
      expect(second.output().match(/workflow bundle \(tracing o(ff|n)\) from/g)).toHaveLength(2);
      expect(await readdir(cache)).toHaveLength(2);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('refuses arguments it does not know', async () => {
    const worker = startWorker({ STYRMIN_DRIVERS: `${repo}drivers` }, ['--drivers', 'x']);
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(/^styrmin worker: not starting: unknown arguments "--drivers x"/);
  });

  it('refuses to start on a half-configured TLS, in one line saying what to set', async () => {
    const worker = startWorker({
      STYRMIN_DRIVERS: `${repo}drivers`,
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/temporal/client.pem',
    });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(
      /^styrmin worker: not starting: TLS has a client certificate but not its key: set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH .*, or neither\n$/,
    );
  });

  it('serves the task queue, runs the lifecycle workflows from its bundle, and stops gracefully on SIGTERM', async () => {
    const taskQueue = uniqueName('worker-entry');
    const worker = startWorker({ STYRMIN_DRIVERS: `${repo}drivers`, STYRMIN_TASK_QUEUE: taskQueue });
    try {
      await started(worker);
      expect(worker.output()).toContain('drivers: example-app@1, second-app@2');
      // A malformed input fails in the workflow's first step: no cluster needed, but workflow code ran from dist.
      const client = await connectClient();
      try {
        const handle = await startSetup(
          client,
          { deploymentId: 'Not_A_Label', driver: 'example-app', namespace: 'shop' },
          { taskQueue, workflowId: uniqueName('bad-input') },
        );
        const failure = await waitForRun(client, handle.workflowId).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        expect((failure as WorkflowFailedError).cause).toMatchObject({
          type: FailureType.InvalidInput,
          message: expect.stringContaining('deploymentId'),
        });
        // The start names the run for people: Temporal Web shows this summary in its list and on the run's page.
        const description = await client.workflow.getHandle(handle.workflowId).describe();
        expect(await description.staticSummary()).toBe(
          "setup Not_A_Label to the driver's default version (example-app, namespace shop)",
        );
      } finally {
        await client.connection.close();
      }
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
  });

  // The lab-twin run needs a cluster for its namespace and record: a Kubernetes API test server of
  // its own, on both tiers, since what is tested here is the worker's endpoints.
  it('answers /healthz from the start, /readyz once polling, /metrics with the SDK and Styrmin series, and stops in time', async () => {
    const taskQueue = uniqueName('worker-http');
    const port = await freeLoopbackPort();
    const sim = await startKubeSim();
    const worker = startWorker({
      STYRMIN_DRIVERS: `${repo}drivers,${labTwin}`,
      STYRMIN_TASK_QUEUE: taskQueue,
      STYRMIN_HTTP_PORT: String(port),
      KUBECONFIG: sim.kubeconfigPath,
    });
    const get = async (route: string) => {
      try {
        const answer = await fetch(`http://127.0.0.1:${port}${route}`);
        return { status: answer.status, body: await answer.text() };
      } catch {
        return undefined; // not listening (yet, or any more)
      }
    };
    try {
      // Through start-up: alive first (drivers loading, bundle, connections), ready once it polls.
      const seen: string[] = [];
      for (let i = 0; i < 1500 && seen.at(-1) !== '200 200' && worker.child.exitCode === null; i++) {
        const [health, ready] = await Promise.all([get('/healthz'), get('/readyz')]);
        if (health && ready) seen.push(`${health.status} ${ready.status}`);
        if (ready?.status === 503) expect(ready.body).toMatch(/^not ready: (starting|worker initialized)\n$/);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen[0]).toBe('200 503');
      expect(seen.at(-1)).toBe('200 200');
      expect(await get('/readyz')).toEqual({ status: 200, body: 'ready\n' });
      expect(worker.output()).toContain(`/healthz /readyz /metrics on http://0.0.0.0:${port}`);

      const client = await connectClient();
      try {
        const handle = await startSetup(
          client,
          { deploymentId: 'Not_A_Label', driver: 'example-app', namespace: 'shop' },
          { taskQueue, workflowId: uniqueName('metrics') },
        );
        await expect(waitForRun(client, handle.workflowId)).rejects.toBeInstanceOf(WorkflowFailedError);
        const deploymentId = uniqueName('twin');
        const setup = await startSetup(
          client,
          { deploymentId, driver: 'lab-twin', namespace: deploymentId },
          { taskQueue, workflowId: uniqueName('metrics') },
        );
        await waitForRun(client, setup.workflowId);
      } finally {
        await client.connection.close();
      }
      const metrics = await get('/metrics');
      expect(metrics?.status).toBe(200);
      expect(metrics?.body).toMatch(
        new RegExp(`^temporal_workflow_failed\\{[^}]*task_queue="${taskQueue}"[^}]*\\} 1$`, 'm'),
      );
      expect(metrics?.body).toMatch(/^temporal_worker_task_slots_available\{/m);
      // Styrmin's series: the failed run was refused before any primitive ran.
      const series = (name: string, labels: Record<string, string>) =>
        new RegExp(
          `^${name}\\{${Object.entries(labels)
            .map(([k, v]) => `(?=[^}]*${k}="${v}")`)
            .join('')}[^}]*\\} (\\S+)$`,
          'm',
        ).exec(metrics?.body ?? '')?.[1];
      expect(series('styrmin_runs', { hook: 'setup', driver: 'lab-twin', outcome: 'succeeded' })).toBe('1');
      expect(series('styrmin_runs', { hook: 'setup', driver: 'example-app', outcome: 'failed' })).toBe('1');
      const install = { driver: 'lab-twin@2', action: 'install', outcome: 'succeeded' };
      expect(series('styrmin_action_duration_seconds_count', install)).toBe('1');
      expect(Number(series('styrmin_action_duration_seconds_sum', install))).toBeGreaterThanOrEqual(0.3); // it waits 300 ms
      expect(series('styrmin_action_duration_seconds_bucket', { ...install, le: '60' })).toBe('1'); // Styrmin's buckets
      expect(series('styrmin_primitive_attempts', { primitive: 'writeDeploymentRecord' })).toBe('2');
      expect(series('styrmin_primitive_failures', { primitive: 'prepareRun' })).toBeUndefined();
      expect((await get('/nowhere'))?.status).toBe(404);
    } finally {
      worker.child.kill('SIGTERM');
      await sim.close();
    }
    const stopping = Date.now();
    expect(await worker.exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(25_000);
    expect(await get('/healthz')).toBeUndefined();
  });
});
