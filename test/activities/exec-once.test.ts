/**
 * `executeCommands` with a once-only key: a success recorded in a run is returned instead of
 * running the commands again; failures are not recorded; another run runs them again; concurrent
 * records all survive; the record stays bounded. Commands count their runs in a file in the pod
 * (a local file on the simulator), so the tests run unchanged on a real cluster.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import { interruptedExitCode, onceOutcomeRoot } from '../../activities/kubernetes/once-command.js';
import type { CommandResult, ExecuteCommandsInput, OnceKey } from '../../contract/kubernetes.js';
import { recordMetadata } from '../../activities/record/codec.js';
import {
  boundEntries,
  maxOnceEntries,
  onceConfigMapName,
  onceDataKey,
  recordOnceEntry,
  type OnceEntry,
} from '../../activities/kubernetes/once.js';
import { onSim, startTestCluster, type TestCluster } from '../support/cluster.js';
import { createDeployment } from './workloads.js';
import { activityEnv, failureOf, runActivity, waitUntilReady } from './fixtures.js';

let c: TestCluster;
let namespace: string;
const web = { name: 'web', selector: { app: 'shop', component: 'web' } };
const files: string[] = [];

beforeAll(async () => {
  c = await startTestCluster();
  namespace = await c.newNamespace();
  await createDeployment(c, namespace, 'web', web.selector, 1);
  await waitUntilReady(c, namespace, [web]);
});
afterAll(async () => {
  if (c.sim) await Promise.all(files.map((f) => rm(f, { force: true })));
  await c.close();
});

const hex = () => randomBytes(4).toString('hex');

/** A fresh deployment id (so a fresh once-only ConfigMap), a run of it, and a counter file in the pod. */
function fixture() {
  const deploymentId = `shop-${hex()}`;
  const counter = `/tmp/styrmin-once-${hex()}`;
  files.push(counter);
  const run = { workflowId: `${deploymentId}/upgrade`, runId: `run-${hex()}` };
  /** A command that appends a line to the counter file, then prints `migrated`. */
  const migrate = ['sh', '-c', `echo run >> ${counter}; echo migrated`];
  return { deploymentId, counter, run, migrate };
}

const exec = (input: Omit<ExecuteCommandsInput, 'namespace' | 'component'>) =>
  runActivity(c.activities.executeCommands, { namespace, component: web, ...input });

/** How many times the counter file says a command ran (an unkeyed exec, so it always runs). */
async function runs(counter: string): Promise<number> {
  const [result] = await exec({ deploymentId: 'shop', commands: [['sh', '-c', `cat ${counter} 2>/dev/null || true`]] });
  return (result?.stdout.match(/^run$/gm) ?? []).length;
}

/** The once-only ConfigMap's data of a deployment, parsed. */
async function storedEntries(deploymentId: string): Promise<Record<string, OnceEntry>> {
  const configMap = await c.core.readNamespacedConfigMap({ name: onceConfigMapName(deploymentId), namespace });
  return Object.fromEntries(Object.entries(configMap.data ?? {}).map(([k, v]) => [k, JSON.parse(v) as OnceEntry]));
}

describe('executeCommands with a once-only key', () => {
  it('runs the commands once when the same input comes again in the run (a retry whose first completion was lost)', async () => {
    const { deploymentId, counter, run, migrate } = fixture();
    const input = { deploymentId, commands: [migrate], once: { key: 'migrate-to-2.0.0', ...run } };
    const first = await exec(input);
    const { env, logs } = activityEnv();
    const second = await runActivity(c.activities.executeCommands, { namespace, component: web, ...input }, env);

    expect(await runs(counter)).toBe(1);
    expect(first[0]).toMatchObject({ command: migrate, exitCode: 0, stdout: 'migrated\n' });
    expect(first[0]?.replayed).toBeUndefined();
    const { durationMs: _d, ...recorded } = first[0] as CommandResult;
    expect(second).toEqual([{ ...recorded, durationMs: expect.any(Number), replayed: true }]);
    expect(logs.map((l) => l.message)).toContainEqual(
      expect.stringContaining('once key "migrate-to-2.0.0" recorded their success'),
    );
  });

  /** Starts a keyed slow command, then cancels the attempt once the command runs: its exec session goes, as with a dead worker. */
  async function abandonMidCommand() {
    const { deploymentId, counter, run } = fixture();
    const slow = ['sh', '-c', `echo run >> ${counter}; sleep 2; echo migrated`];
    const input = { deploymentId, commands: [slow], once: { key: 'migrate', ...run } };
    const { env } = activityEnv();
    const first = runActivity(c.activities.executeCommands, { namespace, component: web, ...input }, env);
    while ((await runs(counter)) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    env.cancel();
    await expect(first).rejects.toBeInstanceOf(CancelledFailure);
    return { input, counter, outcomes: `${onceOutcomeRoot}/${onceDataKey(input.once)}` };
  }

  it('waits for a command an attempt left running when its worker went away, and takes its outcome', async () => {
    const { input, counter } = await abandonMidCommand();
    const [result] = await exec(input);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'migrated\n' });
    expect(await runs(counter)).toBe(1);
  });

  // kubesim only: the real tier's kwok runs exec'd commands as its own local processes, and one exec there does not
  // reach another's process to kill it as this test must.
  (onSim ? it : it.skip)(
    "reports a command an attempt started that then ended without an exit status, and does not run it again (kubesim only: the kill reaches another exec's process there only)",
    async () => {
      const { input, counter, outcomes } = await abandonMidCommand();
      // Killed in the pod, as by the OOM killer: it leaves no exit status.
      await exec({ deploymentId: 'shop', commands: [['sh', '-c', `kill -9 "$(cat ${outcomes}/0/pid)"`]] });
      const failure = await failureOf(exec(input));
      expect(failure.type).toBe(FailureType.CommandFailed);
      expect(failure.message).toContain(`exit code ${interruptedExitCode}`);
      expect(failure.message).toContain('ended without an exit status (killed?); not running it again');
      expect(await runs(counter)).toBe(1);
      // Reported once: a deliberate retry runs it again.
      expect((await exec(input))[0]).toMatchObject({ exitCode: 0, stdout: 'migrated\n' });
      expect(await runs(counter)).toBe(2);
    },
  );

  it('records the key in styrmin-deployment-<id>-once, labelled like the deployment record', async () => {
    const { deploymentId, run, migrate } = fixture();
    const once: OnceKey = { key: 'migrate-to-2.0.0', ...run };
    await exec({ deploymentId, commands: [migrate], once });
    const configMap = await c.core.readNamespacedConfigMap({
      name: `styrmin-deployment-${deploymentId}-once`,
      namespace,
    });
    expect(configMap.metadata?.labels).toMatchObject(recordMetadata(deploymentId).labels);
    expect(configMap.metadata?.annotations).toMatchObject(recordMetadata(deploymentId).annotations);
    const entry = (await storedEntries(deploymentId))[onceDataKey(once)];
    expect(entry).toMatchObject({ ...once, results: [expect.objectContaining({ exitCode: 0, stdout: 'migrated\n' })] });
    expect(onceDataKey(once)).toMatch(/^migrate-to-2\.0\.0\.[0-9a-f]{16}$/);
  });

  it('records nothing when a command fails, so the next attempt runs the commands again', async () => {
    const { deploymentId, counter, run } = fixture();
    // Fails the first time, succeeds from the second on.
    const flaky = [
      'sh',
      '-c',
      `echo run >> ${counter}; [ "$(wc -l < ${counter})" -ge 2 ] || { echo "lock held" >&2; exit 4; }`,
    ];
    const input = { deploymentId, commands: [flaky], once: { key: 'migrate', ...run } };

    const failure = await failureOf(exec(input));
    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.CommandFailed, true]);
    const afterFailure = await c.core
      .readNamespacedConfigMap({ name: onceConfigMapName(deploymentId), namespace })
      .catch(() => null);
    expect(afterFailure?.data ?? {}).toEqual({});

    const retried = await exec(input);
    expect(retried[0]?.replayed).toBeUndefined();
    const again = await exec(input);
    expect(again[0]?.replayed).toBe(true);
    expect(await runs(counter)).toBe(2);
  });

  it('runs a list again after a later command of it failed: the key covers the whole list', async () => {
    const { deploymentId, counter, run, migrate } = fixture();
    const input = { deploymentId, commands: [migrate, ['sh', '-c', 'exit 1']], once: { key: 'two-steps', ...run } };
    await failureOf(exec(input));
    await failureOf(exec(input));
    expect(await runs(counter)).toBe(2);
  });

  it('runs the commands again in another run with the same key', async () => {
    const { deploymentId, counter, run, migrate } = fixture();
    const key = 'migrate-to-2.0.0';
    await exec({ deploymentId, commands: [migrate], once: { key, ...run } });
    const later = await exec({
      deploymentId,
      commands: [migrate],
      once: { key, workflowId: run.workflowId, runId: `run-${hex()}` },
    });
    expect(later[0]?.replayed).toBeUndefined();
    expect(await runs(counter)).toBe(2);
    expect(Object.values(await storedEntries(deploymentId)).map((e) => e.key)).toEqual([key, key]);
  });

  it('keeps both keys when two calls record at the same time', async () => {
    const { deploymentId, counter, run } = fixture();
    // Each command waits for the other to have started, so both calls record at about the same time.
    const together = [
      'sh',
      '-c',
      `echo run >> ${counter}; until [ "$(wc -l < ${counter})" -ge 2 ]; do sleep 0.05; done`,
    ];
    if (c.sim) {
      // Writes wait a second, so both writers read (nothing) before either writes: one create must
      // lose (409), read again and merge.
      c.sim.faults.delay({
        ms: 1000,
        count: 2,
        match: { method: 'POST', pathIncludes: `/namespaces/${namespace}/configmaps` },
      });
    }
    const mark = c.sim?.requests.length ?? 0;
    const keys = ['migrate-orders', 'migrate-users'];
    await Promise.all(keys.map((key) => exec({ deploymentId, commands: [together], once: { key, ...run } })));
    if (c.sim) {
      const name = onceConfigMapName(deploymentId);
      const writes = c.sim.requests
        .slice(mark)
        .filter(
          (r) =>
            r.method !== 'GET' && (r.body as { metadata?: { name?: string } } | undefined)?.metadata?.name === name,
        );
      expect(writes.map((r) => r.status)).toContain(409);
    }
    expect(
      Object.values(await storedEntries(deploymentId))
        .map((e) => e.key)
        .sort(),
    ).toEqual(keys);
    const replays = await Promise.all(
      keys.map((key) => exec({ deploymentId, commands: [together], once: { key, ...run } })),
    );
    expect(replays.map((r) => r[0]?.replayed)).toEqual([true, true]);
    expect(await runs(counter)).toBe(2);
  });

  it('keeps every entry when many writers update the record at once', async () => {
    const { deploymentId, run } = fixture();
    const result: CommandResult = {
      command: ['true'],
      pod: 'p',
      container: 'app',
      exitCode: 0,
      stdout: '',
      stderr: '',
      truncated: false,
      durationMs: 1,
    };
    const record = (key: string) =>
      activityEnv().env.run(() =>
        recordOnceEntry(c.kubeConfig(), { deploymentId, namespace, once: { key, ...run } }, [['true']], [result]),
      );
    await record('first');
    const name = onceConfigMapName(deploymentId);
    // Each writer's first update waits a second, so all read the same resourceVersion: all but one conflict.
    c.sim?.faults.delay({ ms: 1000, count: 7, match: { method: 'PUT', pathIncludes: name } });
    const mark = c.sim?.requests.length ?? 0;
    const keys = Array.from({ length: 7 }, (_, i) => `key-${i}`);
    await Promise.all(keys.map(record));
    if (c.sim) {
      const updates = c.sim.requests.slice(mark).filter((r) => r.method === 'PUT' && r.path.includes(name));
      // Every round has one winner: 6 conflicts in the first, more in the next ones.
      expect(updates.filter((r) => r.status === 409).length).toBeGreaterThanOrEqual(6);
    }
    expect(
      Object.values(await storedEntries(deploymentId))
        .map((e) => e.key)
        .sort(),
    ).toEqual(['first', ...keys]);
  });

  it('refuses a key recorded in the run for other commands, and a malformed key', async () => {
    const { deploymentId, run, migrate } = fixture();
    await exec({ deploymentId, commands: [migrate], once: { key: 'migrate', ...run } });
    const other = await failureOf(
      exec({ deploymentId, commands: [['sh', '-c', 'echo other']], once: { key: 'migrate', ...run } }),
    );
    expect([other.type, other.nonRetryable]).toEqual([FailureType.InvalidInput, true]);
    expect(other.message).toContain('once key "migrate" was recorded in this run');
    expect(other.message).toContain('give each command list its own key');

    const empty = await failureOf(exec({ deploymentId, commands: [migrate], once: { key: '', ...run } }));
    expect([empty.type, empty.nonRetryable]).toEqual([FailureType.InvalidInput, true]);
    expect(empty.message).toContain('once must be a non-empty key');
  });

  it('keeps at most 2 KiB of each output tail in the record, and says it cut them', async () => {
    const { deploymentId, run } = fixture();
    const chatty = ['sh', '-c', 'i=0; while [ $i -lt 1000 ]; do echo "line $i"; i=$((i+1)); done'];
    const input = { deploymentId, commands: [chatty], once: { key: 'chatty', ...run } };
    const [ran] = await exec(input);
    expect(ran?.truncated).toBe(false);
    const [replayed] = await exec(input);
    expect(replayed?.replayed).toBe(true);
    expect(replayed?.truncated).toBe(true);
    expect(Buffer.byteLength(replayed?.stdout ?? '')).toBeLessThanOrEqual(2048);
    expect(replayed?.stdout.endsWith('line 998\nline 999\n')).toBe(true);
  });
});

describe('the once-only record bound', () => {
  const entry = (workflowId: string, runId: string, i: number, stdout = ''): [string, OnceEntry] => {
    const once = { key: `k${i}`, workflowId, runId };
    const recordedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const results = [{ pod: 'p', container: 'app', exitCode: 0, stdout, stderr: '', truncated: false, durationMs: 1 }];
    return [onceDataKey(once), { ...once, recordedAt, commands: 'digest', results }];
  };

  it(`drops other runs' oldest entries beyond ${maxOnceEntries}, never the current run's`, () => {
    const others = Array.from({ length: 60 }, (_, i) => entry('shop/upgrade', `old-${i % 3}`, i));
    const own = Array.from({ length: 5 }, (_, i) => entry('shop/upgrade', 'now', i));
    const added = entry('shop/upgrade', 'now', 100);
    const kept = boundEntries(new Map([...own, ...others, added]), added[0]);
    expect(kept.size).toBe(maxOnceEntries);
    for (const [k] of [...own, added]) expect(kept.has(k)).toBe(true);
    const keptOthers = others.filter(([k]) => kept.has(k)).map(([, e]) => e.key);
    expect(keptOthers).toEqual(others.slice(-(maxOnceEntries - 6)).map(([, e]) => e.key));
  });

  it("drops the output of the current run's older entries when the run alone is too big", () => {
    const big = 'x'.repeat(20_000);
    const own = Array.from({ length: 40 }, (_, i) => entry('shop/upgrade', 'now', i, big));
    const added = entry('shop/upgrade', 'now', 100, big);
    const kept = boundEntries(new Map([...own, added]), added[0]);
    expect(kept.size).toBe(41);
    const bytes = [...kept.values()].reduce((n, e) => n + JSON.stringify(e).length, 0);
    expect(bytes).toBeLessThanOrEqual(512 * 1024);
    expect(kept.get(added[0])?.results[0]?.stdout).toBe(big);
    expect(kept.get(own[0]![0])?.results[0]).toMatchObject({ stdout: '', truncated: true });
  });
});
