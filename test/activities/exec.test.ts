import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { Exec, type V1Status } from '@kubernetes/client-node';
import { CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import type { ExecuteCommandsInput } from '../../contract/kubernetes.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { createDeployment } from './workloads.js';
import { activityEnv, failureOf, livePods, runActivity, until, waitUntilReady } from './fixtures.js';

let c: TestCluster;
let namespace: string;
const web = { name: 'web', selector: { app: 'shop', component: 'web' } };
/** A file path inside the pod (on the simulator, commands run as local processes, so it is a local path). */
const scratch = `/tmp/styrmin-exec-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  c = await startTestCluster();
  namespace = await c.newNamespace();
  await createDeployment(c, namespace, 'web', web.selector, 2);
  await waitUntilReady(c, namespace, [web]);
});
afterAll(async () => {
  if (c.sim) await rm(scratch, { force: true });
  await c.close();
});

const exec = (commands: string[][], more: Partial<ExecuteCommandsInput> = {}) =>
  runActivity(c.activities.executeCommands, { deploymentId: 'shop', namespace, component: web, commands, ...more });

describe('the exec API', () => {
  it('reports a non-zero exit with the same status on kubesim and on a real API server', async () => {
    const [pod] = await livePods(c, namespace, 'app=shop,component=web');
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(c.kubeConfig())
        .exec(
          namespace,
          pod!.metadata!.name!,
          'app',
          ['sh', '-c', 'exit 3'],
          new PassThrough(),
          null,
          null,
          false,
          resolve,
        )
        .catch(reject);
    });
    expect(status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: command terminated with exit code 3',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });
});

describe('executeCommands', () => {
  it('returns exit code and output of a command, and logs each output line', async () => {
    const { env, logs } = activityEnv();
    const input = {
      deploymentId: 'shop',
      namespace,
      component: web,
      commands: [['sh', '-c', 'echo hello; echo careful >&2']],
    };
    const [result] = await runActivity(c.activities.executeCommands, input, env);
    expect(result).toMatchObject({
      command: ['sh', '-c', 'echo hello; echo careful >&2'],
      container: 'app',
      exitCode: 0,
      stdout: 'hello\n',
      stderr: 'careful\n',
      truncated: false,
    });
    expect(logs.map((l) => [l.message, l.meta?.stream])).toEqual(
      expect.arrayContaining([
        ['hello', 'stdout'],
        ['careful', 'stderr'],
      ]),
    );
  });

  it('runs the commands in order, in one pod: the oldest ready one', async () => {
    const results = await exec([
      ['sh', '-c', `echo one > ${scratch}`],
      ['sh', '-c', `echo two >> ${scratch}`],
      ['cat', scratch],
    ]);
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    expect(results[2]?.stdout).toBe('one\ntwo\n');
    const pods = await livePods(c, namespace, 'component=web');
    const created = (p: (typeof pods)[number]) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
    const oldest = [...pods].sort(
      (a, b) => created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    )[0];
    expect(new Set(results.map((r) => r.pod))).toEqual(new Set([oldest?.metadata?.name]));
  });

  it('fails non-retryably with CommandFailed on a non-zero exit, cause first (exit code, pod, stderr, stdout), the command last, and runs nothing after it', async () => {
    const failing = ['sh', '-c', 'echo migrating; echo "relation users does not exist" >&2; exit 3'];
    const failure = await failureOf(exec([failing, ['sh', '-c', `touch ${scratch}.after`]]));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.CommandFailed, true]);
    expect(failure.message).toMatch(
      /^exit code 3 in pod "web-[a-z0-9-]+" \(container "app", component "web"\); stderr: relation users does not exist; stdout: migrating; command: sh -c 'echo migrating; echo "relation users does not exist" >&2; exit 3'$/,
    );
    expect(failure.details?.[0]).toMatchObject({
      exitCode: 3,
      stderr: 'relation users does not exist\n',
      stdout: 'migrating\n',
      completed: [],
    });
    const [check] = await exec([['sh', '-c', `test -e ${scratch}.after && echo present || echo absent`]]);
    expect(check?.stdout).toBe('absent\n');
  });

  it('fails with CommandFailed when the executable does not exist', async () => {
    const failure = await failureOf(exec([['styrmin-no-such-command', '--version']]));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.CommandFailed, true]);
    expect(failure.message).toContain('styrmin-no-such-command');
    expect(failure.message).toMatch(/not found/);
  });

  it('keeps only the last 16 KiB of a long output and says so', async () => {
    const [result] = await exec([['sh', '-c', 'i=0; while [ $i -lt 5000 ]; do echo "line $i"; i=$((i+1)); done']]);
    expect(result?.truncated).toBe(true);
    expect(Buffer.byteLength(result?.stdout ?? '')).toBeLessThanOrEqual(16 * 1024);
    expect(result?.stdout.endsWith('line 4998\nline 4999\n')).toBe(true);
  });

  it('fails with CommandFailed when a command outlives its timeout', async () => {
    const failure = await failureOf(exec([['sleep', '30']], { timeoutSeconds: 1 }));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.CommandFailed, true]);
    expect(failure.message).toContain('did not finish within 1s');
  });

  it('stops a command when the activity is cancelled', async () => {
    const { env } = activityEnv();
    env.once('heartbeat', () => env.cancel());
    const started = Date.now();
    const input = { deploymentId: 'shop', namespace, component: web, commands: [['sleep', '30']] };
    await expect(runActivity(c.activities.executeCommands, input, env)).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses an unknown container and commands that are not argv lists', async () => {
    const container = await failureOf(exec([['true']], { container: 'sidecar' }));
    expect([container.type, container.nonRetryable]).toEqual([FailureType.InvalidInput, true]);
    expect(container.message).toContain('containers: app');
    const shellString = await failureOf(exec(['echo hi'] as unknown as string[][]));
    expect([shellString.type, shellString.nonRetryable]).toEqual([FailureType.InvalidInput, true]);
  });

  it('fails retryably with ComponentNotReady when no pod is ready, listing the pods it saw', async () => {
    const other = await c.newNamespace();
    await createDeployment(c, other, 'web', web.selector, 2, { neverReady: true });
    await until('two pods', c.waitSeconds, async () => (await livePods(c, other, 'component=web')).length === 2);
    const failure = await failureOf(exec([['true']], { namespace: other }));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.ComponentNotReady, false]);
    expect(failure.message).toContain('app=shop,component=web');
    for (const pod of await livePods(c, other, 'component=web'))
      expect(failure.message).toContain(`${pod.metadata?.name} (`);
  });
});
