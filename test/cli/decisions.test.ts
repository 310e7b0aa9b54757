/**
 * An operator's decisions from the `styrmin` command, end to end (bin/styrmin.js, the compiled
 * CLI, on the dev server with a worker of the engine-test driver): `list`, `watch`, `approve`,
 * `retry`, `skip`, `abort` and `cancel`, with what they print and how they exit.
 */
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { getProgress } from '../../client.js';
import type { RunProgress } from '../../contract/progress.js';
import { temporalCli } from '../../runtime/temporal-cli.js';
import { repo, styrmin } from '../support/styrmin-cli.js';
import { uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from '../workflows/harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

const run = promisify(execFile);
const escape = String.fromCharCode(27);
const env = () => ({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS! });

/** A lab-app setup with run options `options`; `config` steers its actions. */
function start(taskQueue: string, options: object, config: Record<string, unknown> = {}) {
  const deploymentId = uniqueName('cli-decide');
  return harness.temporal.client.workflow.start(lifecycle.setup, {
    taskQueue,
    workflowId: `${deploymentId}/setup`,
    args: [{ deploymentId, driver: 'lab-app', namespace: 'lab-cli', parameters: { owner: 'ops' }, config, ...options }],
  });
}

async function progressWhen(handle: WorkflowHandle, ready: (p: RunProgress) => boolean): Promise<RunProgress> {
  for (let i = 0; i < 300; i++) {
    const progress = await getProgress(harness.temporal.client, handle.workflowId);
    if (ready(progress)) return progress;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${handle.workflowId} never got there`);
}

/**
 * `styrmin watch <id>` as a running process: what it has printed so far, and how it ended. With
 * `onTerminal`, it runs under `script`, which gives it a terminal, as an operator's shell would.
 */
function follow(workflowId: string, onTerminal = false) {
  const watch = ['bin/styrmin.js', 'watch', workflowId, '--interval', '0.2'];
  const [command, args] = onTerminal
    ? ['script', ['-qec', [process.execPath, ...watch].join(' '), '/dev/null']]
    : [process.execPath, watch];
  const child = spawn(command as string, args as string[], { cwd: repo, env: { ...process.env, ...env() } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const ended = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout })),
  );
  const saw = async (text: string) => {
    for (let i = 0; i < 300 && !stdout.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stdout).toContain(text);
  };
  return { saw, ended };
}

describe('styrmin decision commands', () => {
  it('approve, list and watch: a gated run, found by status, followed to its end', async () => {
    await harness.withWorker(async (taskQueue) => {
      const run = await start(taskQueue, { approveBefore: ['core'] });
      const id = run.workflowId;
      const deploymentId = id.split('/')[0]!;
      await progressWhen(run, (p) => p.status === 'awaiting-approval');

      const listed = await styrmin(['list', '--deployment', deploymentId, '--json'], env());
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ workflowId: id, hook: 'setup', status: 'awaiting-approval', mode: 'core' }),
      ]);
      const plain = await styrmin(['list', '--status', 'awaiting-approval', '--hook', 'setup'], env());
      expect(plain.stdout).toMatch(new RegExp(`awaiting-approval +${id.replace('/', '\\/')}  setup ${deploymentId} `));
      expect((await styrmin(['list', '--status', 'sleeping'], env())).stderr).toContain(
        '--status must be one of running, succeeded, failed, cancelled, waiting, awaiting-approval, got "sleeping"',
      );

      const wrong = await styrmin(['retry', id], env());
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toBe(
        `styrmin: ${id} did not take the decision: run ${id} waits for approval before core (approve or abort), so retry does not fit\n`,
      );
      const watching = follow(id);
      await watching.saw('waiting for approval before core');
      const approved = await styrmin(['approve', id, '--by', 'erin', '--comment', 'change 4711'], env());
      expect(approved).toMatchObject({ code: 0, stdout: `${id}: approved: mode core starts\n` });
      const watched = await watching.ended;
      expect(watched.code).toBe(0);
      const lines = watched.stdout.trim().split('\n');
      const facts = lines.map((line) => line.replace(/^\S+ {2}[^:]+: /, ''));
      expect(facts).toEqual(expect.arrayContaining(['waiting for approval before core', 'core/install succeeded']));
      expect(facts.at(-1)).toBe('run succeeded');
      expect((await run.result()).progress.decisions).toEqual([
        expect.objectContaining({ decision: 'approve', by: 'erin', reason: 'change 4711' }),
      ]);
    });
  }, 90_000);

  it('retry, skip and abort a waiting run; cancel a running one', async () => {
    let status = 404;
    const server = http.createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const probeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await harness.withWorker(async (taskQueue) => {
        const retried = await start(taskQueue, { onActionFailure: 'wait' }, { probeUrl, probeAttempts: 1 });
        await progressWhen(retried, (p) => p.status === 'waiting');
        status = 200;
        const retry = await styrmin(['retry', retried.workflowId, '--action', 'probe', '--by', 'bob'], env());
        expect(retry).toMatchObject({
          code: 0,
          stdout: `${retried.workflowId}: retrying probe (attempt 2) in mode post\n`,
        });
        expect((await retried.result()).progress.status).toBe('succeeded');

        const skipped = await start(taskQueue, { onActionFailure: 'wait' }, { fail: ['verify'] });
        await progressWhen(skipped, (p) => p.status === 'waiting');
        const noReason = await styrmin(['skip', skipped.workflowId], env());
        expect(noReason.code).toBe(1);
        expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
        const skip = await styrmin(['skip', skipped.workflowId, '--reason', 'checked by hand'], env());
        expect(skip.code).toBe(0);
        expect((await skipped.result()).progress.status).toBe('succeeded');

        const aborted = await start(taskQueue, { onActionFailure: 'wait' }, { fail: ['install'] });
        await progressWhen(aborted, (p) => p.status === 'waiting');
        const abort = await styrmin(['abort', aborted.workflowId, '--reason', 'bad build'], env());
        expect(abort.stdout).toBe(
          `${aborted.workflowId}: aborting in mode core: putting back what the run stopped, then failing the run\n`,
        );
        const watched = await styrmin(['watch', aborted.workflowId], env());
        expect(watched.code).toBe(1);
        expect(watched.stdout).toMatch(/: run failed\n/);

        const cancelled = await start(taskQueue, {}, { delays: { prepare_a: 60_000 } });
        await progressWhen(cancelled, (p) => p.modes[0]!.state === 'running');
        const watching = follow(cancelled.workflowId, true);
        await watching.saw('prepare_a');
        const cancel = await styrmin(['cancel', cancelled.workflowId], env());
        expect(cancel.code).toBe(0);
        const drawn = await watching.ended;
        expect(drawn.code).toBe(1);
        // Drawn in place: each redraw moves up to the first line drawn and clears below it.
        expect(drawn.stdout).toMatch(new RegExp(`${escape}\\[\\d+F${escape}\\[J`));
        expect(drawn.stdout).toContain(
          `setup of ${cancelled.workflowId.split('/')[0]} (lab-app) (new) -> 1.0.0: cancelled`,
        );
        await expect(cancelled.result()).rejects.toThrow();
        expect((await getProgress(harness.temporal.client, cancelled.workflowId)).status).toBe('cancelled');
        const again = await styrmin(['abort', cancelled.workflowId, '--reason', 'late'], env());
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/already completed/);
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);

  it('takes the same decisions from the plain Temporal CLI, as the README shows', async () => {
    const temporal = (args: string[]) =>
      run(temporalCli(), ['workflow', 'update', 'execute', '--address', process.env.TEMPORAL_ADDRESS!, ...args]).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
    await harness.withWorker(async (taskQueue) => {
      const waiting = await start(taskQueue, { onActionFailure: 'wait' }, { fail: ['verify'] });
      await progressWhen(waiting, (p) => p.status === 'waiting');
      const id = waiting.workflowId;
      const rejected = await temporal(['--workflow-id', id, '--name', 'approve', '--input', '{"by": "alice"}']);
      expect(rejected.code).not.toBe(0);
      expect(rejected.stderr).toContain('so approve does not fit');
      const skipped = await temporal([
        ...['--workflow-id', id, '--name', 'skip'],
        ...['--input', '{"actions": ["verify"], "reason": "verified by hand"}'],
      ]);
      expect(skipped.code).toBe(0);
      expect(skipped.stdout).toContain('skipped verify in mode post');
      expect((await waiting.result()).progress.status).toBe('succeeded');
    });
  }, 60_000);
});
