/**
 * Operator decisions on a run of the engine-test driver: a run with `onActionFailure: "wait"`
 * waits when an action fails and takes `retry`, `skip` or `abort` as Updates; `approveBefore`
 * holds a mode until `approve`; a decision that does not fit is rejected before it reaches the
 * run's history; a run left waiting past its decision timeout aborts on its own.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { readDeploymentRecord } from '../../activities/record/store.js';
import { abortRun, approveRun, getProgress, retryActions, skipActions } from '../../client.js';
import type { RunProgress } from '../../contract/progress.js';
import { uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

/** An HTTP endpoint answering `status` until told otherwise: the cause an operator fixes. */
async function endpoint(status: number) {
  let answer = status;
  const server = http.createServer((_req, res) => res.writeHead(answer).end(`status ${answer}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    answer: (next: number) => (answer = next),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A lab-app setup; `options` are the run options, `config` steers the actions. */
function setupInput(deploymentId: string, options: object, config: Record<string, unknown> = {}) {
  return { deploymentId, driver: 'lab-app', namespace: 'lab', parameters: { owner: 'ops' }, config, ...options };
}

/** Polls the run's progress until `ready` holds. */
async function progressWhen(
  handle: WorkflowHandle,
  ready: (progress: RunProgress) => boolean,
  timeoutMs = 30_000,
): Promise<RunProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await getProgress(harness.temporal.client, handle.workflowId);
    if (ready(progress)) return progress;
    if (Date.now() > deadline) throw new Error(`progress never got there: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The run's history events that record Updates: a rejected decision leaves none. */
async function updateEvents(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  return history.events!.filter(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes,
  );
}

/** The message a rejected Update carries. */
async function rejection(update: Promise<unknown>): Promise<string> {
  const error = await update.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((error as WorkflowUpdateFailedError).cause as Error).message;
}

describe('a run that waits for a decision when an action fails', () => {
  it('rejects decisions that do not fit, then retries the fixed action and completes', async () => {
    const server = await endpoint(404);
    const { client } = harness.temporal;
    try {
      await harness.withWorker(async (taskQueue) => {
        const deploymentId = uniqueName('retry');
        const run = await client.workflow.start(lifecycle.setup, {
          taskQueue,
          workflowId: `${deploymentId}/setup`,
          args: [setupInput(deploymentId, { onActionFailure: 'wait' }, { probeUrl: server.url, probeAttempts: 1 })],
        });
        const waiting = await progressWhen(run, (p) => p.status === 'waiting');
        expect(waiting.waiting).toMatchObject({ for: 'decision', mode: 'post', actions: ['probe'] });
        const post = waiting.modes.find((m) => m.mode === 'post')!;
        expect(post.actions.find((a) => a.name === 'probe')).toMatchObject({ state: 'failed', attempts: 1 });
        expect(post.actions.find((a) => a.name === 'verify')).toMatchObject({ state: 'succeeded' });
        const description = await run.describe();
        expect(description.searchAttributes.StyrminStatus).toEqual(['waiting']);

        const id = run.workflowId;
        expect(await rejection(retryActions(client, id, { actions: ['nope'] }))).toBe(
          'retry: mode post has no action "nope" (its actions: verify, probe)',
        );
        expect(await rejection(retryActions(client, id, { actions: ['verify'] }))).toBe(
          'retry: action verify of mode post is succeeded, not failed (failed: probe)',
        );
        expect(await rejection(skipActions(client, id, { reason: ' ' }))).toContain('a reason is required');
        expect(await rejection(approveRun(client, id, { by: 'alice' }))).toBe(
          `run ${id} waits for a decision on failed actions of post (retry, skip or abort), so approve does not fit`,
        );
        expect(await updateEvents(run)).toEqual([]);

        server.answer(200);
        expect(await retryActions(client, id, { by: 'bob' })).toEqual({
          decision: 'retry',
          message: 'retrying probe (attempt 2) in mode post',
        });
        const result = await run.result();
        expect(result.progress.status).toBe('succeeded');
        const probe = result.progress.modes.find((m) => m.mode === 'post')!.actions.find((a) => a.name === 'probe')!;
        expect(probe).toMatchObject({ state: 'succeeded', attempts: 2 });
        expect(result.progress.decisions).toEqual([
          expect.objectContaining({ decision: 'retry', mode: 'post', by: 'bob', actions: ['probe'] }),
        ]);
        const record = await readDeploymentRecord(harness.kubeConfig(), { deploymentId, namespace: 'lab' });
        expect(record!.history.at(-1)).toMatchObject({
          status: 'succeeded',
          decisions: [expect.stringMatching(/^retried probe in post by bob at /)],
        });
        // A run that ended takes no decision: Temporal says so.
        await expect(retryActions(client, id)).rejects.toThrow(/already completed/);
      });
    } finally {
      await server.close();
    }
  }, 90_000);

  it('skips a failed action with a reason and goes on to the next mode', async () => {
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const deploymentId = uniqueName('skip');
      const run = await client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [setupInput(deploymentId, { onActionFailure: 'wait' }, { fail: ['prepare_b'] })],
      });
      await progressWhen(run, (p) => p.status === 'waiting');
      const skipped = await skipActions(client, run.workflowId, {
        actions: ['prepare_b'],
        reason: 'done by hand',
        by: 'carol',
      });
      expect(skipped.message).toBe('skipped prepare_b in mode pre; the run goes on once no failed action is left');
      const result = await run.result();
      const pre = result.progress.modes.find((m) => m.mode === 'pre')!;
      expect(pre.state).toBe('succeeded');
      expect(pre.actions.find((a) => a.name === 'prepare_b')).toMatchObject({
        state: 'skipped',
        skipReason: 'done by hand',
      });
      expect(result.progress.modes.map((m) => m.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    });
  }, 60_000);

  it('aborts on an operator decision, and on its own when no decision comes in time', async () => {
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const deploymentId = uniqueName('abort');
      const aborted = await client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [setupInput(deploymentId, { onActionFailure: 'wait' }, { fail: ['install'] })],
      });
      await progressWhen(aborted, (p) => p.status === 'waiting');
      expect(await rejection(abortRun(client, aborted.workflowId, { reason: '' }))).toContain('a reason is required');
      const answer = await abortRun(client, aborted.workflowId, { reason: 'wrong version', by: 'dave' });
      expect(answer.decision).toBe('abort');
      const failure = (await aborted.result().catch((err: unknown) => err)) as WorkflowFailedError;
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = failure.cause as ApplicationFailure;
      expect(cause.type).toBe('RunAborted');
      expect(cause.message.split('\n').slice(0, 2)).toEqual([
        `setup of deployment "${deploymentId}" aborted in mode core by dave: wrong version`,
        '- install: [LabFailure] install was told to fail',
      ]);
      expect(cause.message).toMatch(/\nLeft: pre succeeded .*; core failed \(failed: install\); not run: post$/);

      const lateId = uniqueName('late');
      const late = await client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId: `${lateId}/setup`,
        args: [setupInput(lateId, { onActionFailure: 'wait', decisionTimeout: '2s' }, { fail: ['verify'] })],
      });
      const lateFailure = (await late.result().catch((err: unknown) => err)) as WorkflowFailedError;
      expect(lateFailure.cause!.message).toMatch(
        new RegExp(
          `^setup of deployment "${lateId}" aborted in mode post by decision timeout: no decision within 2s\n`,
        ),
      );
      const progress = await getProgress(client, late.workflowId);
      expect(progress.decisions).toEqual([
        expect.objectContaining({ decision: 'abort', by: 'decision timeout', reason: 'no decision within 2s' }),
      ]);
      expect(progress.status).toBe('failed');
    });
  }, 60_000);
});

describe('a run that waits for approval before a mode', () => {
  it('starts nothing of core until approved, and records who approved', async () => {
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const deploymentId = uniqueName('approve');
      const run = await client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [setupInput(deploymentId, { approveBefore: ['core'] })],
      });
      const waiting = await progressWhen(run, (p) => p.status === 'awaiting-approval');
      expect(waiting.waiting).toMatchObject({ for: 'approval', mode: 'core' });
      expect(waiting.modes.map((m) => m.state)).toEqual(['succeeded', 'pending', 'pending']);
      expect((await run.describe()).searchAttributes.StyrminStatus).toEqual(['awaiting-approval']);
      expect(await rejection(retryActions(client, run.workflowId))).toBe(
        `run ${run.workflowId} waits for approval before core (approve or abort), so retry does not fit`,
      );
      expect(await rejection(approveRun(client, run.workflowId, { by: '' }))).toContain('approve needs "by"');
      // Nothing of core started while the run waited.
      const children = (await run.fetchHistory()).events!.filter((e) =>
        e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name?.includes('install'),
      );
      expect(children).toEqual([]);

      const approved = await approveRun(client, run.workflowId, { by: 'erin', comment: 'change 4711' });
      expect(approved).toEqual({ decision: 'approve', message: 'approved: mode core starts' });
      const result = await run.result();
      expect(result.progress.status).toBe('succeeded');
      expect(result.progress.decisions).toEqual([
        expect.objectContaining({ decision: 'approve', mode: 'core', by: 'erin', reason: 'change 4711' }),
      ]);
      const record = await readDeploymentRecord(harness.kubeConfig(), { deploymentId, namespace: 'lab' });
      expect(record!.history.at(-1)!.decisions).toEqual([
        expect.stringMatching(/^approved core by erin at .*: change 4711$/),
      ]);
    });
  }, 60_000);

  it('rejects a decision sent to a run that waits for none', async () => {
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const deploymentId = uniqueName('busy');
      const run = await client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [setupInput(deploymentId, {}, { delays: { prepare_a: 5_000 } })],
      });
      await progressWhen(run, (p) => p.modes[0]!.state === 'running');
      expect(await rejection(abortRun(client, run.workflowId, { reason: 'stop' }))).toBe(
        `run ${run.workflowId} is running, not waiting for a decision: abort fits only a run that waits (to stop a running run, cancel it)`,
      );
      expect(await updateEvents(run)).toEqual([]);
      await run.result();
    });
  }, 60_000);

  it('refuses malformed run options at once', async () => {
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const deploymentId = uniqueName('options');
      const failure = (await client.workflow
        .execute(lifecycle.setup, {
          taskQueue,
          workflowId: `${deploymentId}/setup`,
          args: [
            setupInput(deploymentId, {
              onActionFailure: 'pause',
              decisionTimeout: 'soon',
              approveBefore: ['middle'],
              compensate: 'yes',
            }) as never,
          ],
        })
        .catch((err: unknown) => err)) as WorkflowFailedError;
      expect(failure.cause!.message).toBe(
        'invalid setup input: "onActionFailure" must be "fail" or "wait", got "pause"; "decisionTimeout" must be a duration such as "30m", "24h" or "7d", got "soon"; "approveBefore" must list modes (pre, core, post), got ["middle"]; "compensate" must be true or false',
      );
    });
  }, 30_000);
});
