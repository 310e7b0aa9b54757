/**
 * An upgrade of the example driver whose migration fails after the release, and what an operator
 * does about it. The run's failure says which action failed and why, cause first, and what the run
 * left; the failed action's own failure is its cause; the record names the released version and
 * the same account. The run puts back the task-worker that pre stopped when it fails, is aborted
 * or is cancelled (unless told not to); with `onActionFailure: "wait"` it waits for a decision,
 * with `approveBefore` for an approval. Runs on the Kubernetes API test server only (kubesim only:
 * the migration is told to fail through its exec's environment).
 */
import { AppsV1Api } from '@kubernetes/client-node';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, type ApplicationFailure } from '@temporalio/common';
import { abortRun, cancelRun, getProgress } from '../../client.js';
import { lockWorkflowId } from '../../contract/lock.js';
import { readDeploymentRecord } from '../../activities/record/store.js';
import { progressQuery } from '../../contract/messages.js';
import type { RunProgress } from '../../contract/progress.js';
import { processExecHandler } from '../../kubesim/exec/process-handler.js';
import { exampleAppExecPath } from '../../scripts/example-environment.js';
import { describeSimOnly } from '../support/cluster.js';
import { uniqueName } from '../support/temporal.js';
import { exampleDrivers } from '../workflows/harness.js';
import * as lifecycle from '../../workflows/hooks.js';
import { startExampleHarness, type ExampleHarness } from './example-harness.js';

let example: ExampleHarness;
beforeAll(async () => {
  example = await startExampleHarness([exampleDrivers], { testServerReadyDelayMs: 200 });
  const env = { EXAMPLE_APP_MIGRATE_EXIT: '3' };
  example.environment.sim!.setExecHandler(processExecHandler(60_000, { path: [exampleAppExecPath], env }));
}, 120_000);
afterAll(async () => example?.close());

function upgradeInput(deploymentId: string) {
  return { deploymentId, driver: 'example-app', namespace: deploymentId, targetVersion: '2.0.0' };
}

/** Sets up a deployment of the example driver at 1.0.0; returns its id (also its namespace). */
async function setUpDeployment(taskQueue: string, name: string): Promise<string> {
  const deploymentId = uniqueName(name);
  await example.harness.temporal.client.workflow.execute(lifecycle.setup, {
    taskQueue,
    workflowId: `${deploymentId}/setup`,
    args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, version: '1.0.0' }],
  });
  return deploymentId;
}

/** The task-worker as the cluster has it: desired and ready replicas, and whether a stop is remembered on it. */
async function taskWorker(namespace: string) {
  const apps = example.environment.kubeConfig.makeApiClient(AppsV1Api);
  const d = await apps.readNamespacedDeployment({ namespace, name: 'task-worker' });
  const stopped = d.metadata?.annotations?.['styrmin.io/replicas-before-stop'] !== undefined;
  return { replicas: d.spec?.replicas, stopped };
}

/** Polls until `ready` holds (the run's progress, the cluster). */
async function until<T>(read: () => Promise<T>, ready: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ready(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never got ${what}`);
}

/** How a run ended: its failure (undefined if it succeeded) and its last progress. */
async function ending(handle: WorkflowHandle) {
  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => err as WorkflowFailedError,
  );
  return { failure, progress: (await handle.query(progressQuery)) as RunProgress };
}

/**
 * True once no run holds the deployment's lock. The lock ends with its holder, a workflow task
 * after the holder closed, so it is given a few seconds.
 */
async function lockFree(deploymentId: string): Promise<boolean> {
  const { client } = example.harness.temporal;
  const lock = client.workflow.getHandle(lockWorkflowId(deploymentId));
  for (let i = 0; i < 50; i++) {
    const described = await lock.describe().catch(() => undefined);
    if (described === undefined || described.status.name !== 'RUNNING') return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describeSimOnly('an upgrade whose migration fails (kubesim only: the migration fails through its exec)', () => {
  it('says which action failed, why, and what was left, in the failure, the progress and the record', async () => {
    const { harness, environment } = example;
    const { client } = harness.temporal;
    const deploymentId = uniqueName('failing');
    const { failure, progress } = await harness.withWorker(async (taskQueue) => {
      await client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, version: '1.0.0' }],
      });
      const upgrade = await client.workflow.start(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [{ ...upgradeInput(deploymentId), compensate: false }],
      });
      const ended = await upgrade.result().then(
        () => undefined,
        (err: unknown) => err,
      );
      return { failure: ended, progress: (await upgrade.query(progressQuery)) as RunProgress };
    });
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    const [first, action, left] = cause.message.split('\n');
    expect(first).toBe(`upgrade of deployment "${deploymentId}" stopped in mode post: 1 of 2 actions failed`);
    // Cause first: type, exit code, where, stderr and stdout lines; the command as typed, last.
    expect(action).toMatch(
      /^- migrate_and_restart: \[CommandFailed\] exit code 3 in pod "server-[a-z0-9-]+" \(container "[a-z-]+", component "server"\); stderr: ERROR: duplicate key value violates unique constraint "tasks_pkey"; stdout: applying 0007_add_task_priority \.\.\. ok \| applying 0008_backfill_priorities \.\.\. failed; command: example-app migrate --to 2\.0\.0$/,
    );
    expect(left).toBe(`Left: ${progress.left}`);
    expect(progress.left).toMatch(
      /core succeeded \(done: helm-release \(revision 2 live: example-app-1\.0\.0, app 2\.0\.0\)\); post failed/,
    );
    // pre stopped the task worker; post failed before it started it again, and the run was told to leave it.
    expect(progress.left).toMatch(/; still stopped: task-worker \(Deployment [a-z0-9-]+, 1 replica\)$/);
    expect(progress.stillStopped).toEqual([expect.stringMatching(/^task-worker \(Deployment /)]);
    expect(cause.cause).toMatchObject({ type: 'CommandFailed', message: expect.stringMatching(/^exit code 3 in pod/) });

    const record = await readDeploymentRecord(environment.kubeConfig, { deploymentId, namespace: deploymentId });
    expect(record).toMatchObject({ status: 'failed', appVersion: '2.0.0' });
    expect(record!.history.at(-1)).toMatchObject({ status: 'failed', stateLeft: progress.left });
  }, 120_000);

  it('puts back the task-worker pre stopped when it fails, and says so', async () => {
    const { harness, environment } = example;
    await harness.withWorker(async (taskQueue) => {
      const deploymentId = await setUpDeployment(taskQueue, 'put-back');
      const upgrade = await harness.temporal.client.workflow.start(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [upgradeInput(deploymentId)],
      });
      const { failure, progress } = await ending(upgrade);
      expect((failure!.cause as ApplicationFailure).type).toBe('ModeFailed');
      expect(progress.putBack).toEqual(['task-worker (Deployment task-worker, 1 replica)']);
      expect(progress.stillStopped).toEqual([]);
      expect(progress.left).toMatch(
        /; post failed \(.*\); put back: task-worker \(Deployment task-worker, 1 replica\)$/,
      );
      expect(failure!.cause!.message.split('\n').at(-1)).toBe(`Left: ${progress.left}`);
      expect(await taskWorker(deploymentId)).toEqual({ replicas: 1, stopped: false });
      const record = await readDeploymentRecord(environment.kubeConfig, { deploymentId, namespace: deploymentId });
      expect(record!.history.at(-1)).toMatchObject({ status: 'failed', stateLeft: progress.left });
      expect(await lockFree(deploymentId)).toBe(true);
    });
  }, 120_000);

  it('waits for a decision with the task-worker stopped; abort puts it back and fails the run', async () => {
    const { harness } = example;
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const deploymentId = await setUpDeployment(taskQueue, 'abort');
      const upgrade = await client.workflow.start(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [{ ...upgradeInput(deploymentId), onActionFailure: 'wait' }],
      });
      const waiting = await until(
        () => getProgress(client, upgrade.workflowId),
        (p) => p.status === 'waiting',
        'a waiting run',
      );
      expect(waiting.waiting).toMatchObject({ mode: 'post', actions: ['migrate_and_restart'] });
      expect(await taskWorker(deploymentId)).toEqual({ replicas: 0, stopped: true });
      const answer = await abortRun(client, upgrade.workflowId, { reason: 'migration needs a fix', by: 'oncall' });
      expect(answer.message).toBe('aborting in mode post: putting back what the run stopped, then failing the run');
      const { failure, progress } = await ending(upgrade);
      const cause = failure!.cause as ApplicationFailure;
      expect(cause.type).toBe('RunAborted');
      expect(cause.message.split('\n')[0]).toBe(
        `upgrade of deployment "${deploymentId}" aborted in mode post by oncall: migration needs a fix`,
      );
      expect(cause.cause).toMatchObject({ type: 'CommandFailed' });
      expect(progress.putBack).toEqual(['task-worker (Deployment task-worker, 1 replica)']);
      expect(await taskWorker(deploymentId)).toEqual({ replicas: 1, stopped: false });
      expect(await lockFree(deploymentId)).toBe(true);
    });
  }, 120_000);

  it('holds core until approved; abort instead puts back what pre stopped', async () => {
    const { harness, environment } = example;
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const deploymentId = await setUpDeployment(taskQueue, 'gate');
      const upgrade = await client.workflow.start(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [{ ...upgradeInput(deploymentId), approveBefore: ['core'] }],
      });
      await until(
        () => getProgress(client, upgrade.workflowId),
        (p) => p.status === 'awaiting-approval',
        'an approval wait',
      );
      expect(await taskWorker(deploymentId)).toEqual({ replicas: 0, stopped: true });
      await abortRun(client, upgrade.workflowId, { reason: 'not tonight', by: 'cab' });
      const { failure, progress } = await ending(upgrade);
      expect(failure!.cause!.message.split('\n')[0]).toBe(
        `upgrade of deployment "${deploymentId}" aborted before mode core by cab: not tonight`,
      );
      expect(progress.modes.map((m) => m.state)).toEqual(['succeeded', 'skipped', 'skipped']);
      expect(progress.left).toMatch(
        /^pre succeeded .*; not run: core, post; put back: task-worker \(Deployment task-worker, 1 replica\)$/,
      );
      expect(await taskWorker(deploymentId)).toEqual({ replicas: 1, stopped: false });
      const record = await readDeploymentRecord(environment.kubeConfig, { deploymentId, namespace: deploymentId });
      expect(record).toMatchObject({ appVersion: '1.0.0' });
      expect(record!.history.at(-1)!.decisions).toEqual([
        expect.stringMatching(/^aborted in core by cab at .*: not tonight$/),
      ]);
    });
  }, 120_000);

  it.each([
    ['in pre, once task-worker is stopped', 'pre'],
    ['in core, during the Helm release', 'core'],
  ] as const)(
    'a cancelled upgrade (%s) puts back the task-worker, frees the lock and records what it put back',
    async (_name, mode) => {
      const { harness, environment } = example;
      const { client } = harness.temporal;
      await harness.withWorker(async (taskQueue) => {
        const deploymentId = await setUpDeployment(taskQueue, `cancel-${mode}`);
        const upgrade = await client.workflow.start(lifecycle.upgrade, {
          taskQueue,
          workflowId: `${deploymentId}/upgrade`,
          args: [upgradeInput(deploymentId)],
        });
        await until(
          () => getProgress(client, upgrade.workflowId),
          (p) =>
            p.modes.find((m) => m.mode === mode)!.state === 'running' &&
            (mode !== 'pre' || p.modes[0]!.actions.some((a) => a.name === 'stop_workers' && a.state === 'succeeded')),
          `a run in ${mode}`,
        );
        await cancelRun(client, upgrade.workflowId);
        const { failure, progress } = await ending(upgrade);
        expect(failure!.cause).toBeInstanceOf(CancelledFailure);
        expect(progress.status).toBe('cancelled');
        expect(progress.error).toMatch(new RegExp(`^cancelled in mode ${mode}`));
        expect(progress.putBack).toEqual(['task-worker (Deployment task-worker, 1 replica)']);
        expect(await taskWorker(deploymentId)).toEqual({ replicas: 1, stopped: false });
        expect(await lockFree(deploymentId)).toBe(true);
        const record = await readDeploymentRecord(environment.kubeConfig, { deploymentId, namespace: deploymentId });
        expect(record!.history.at(-1)).toMatchObject({
          status: 'cancelled',
          stateLeft: expect.stringMatching(/; put back: task-worker \(Deployment task-worker, 1 replica\)$/),
        });
      });
    },
    120_000,
  );
});
