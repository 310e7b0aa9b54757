/**
 * An upgrade of the example driver whose migration fails after the release: what an operator sees.
 * The run's failure says which action failed and why, cause first, and what the run left; the
 * failed action's own failure is its cause; the record names the released version and the same
 * account. Runs on the Kubernetes API test server only (kubesim only: the migration is told to
 * fail through its exec's environment).
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
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
        args: [{ deploymentId, driver: 'example-app', namespace: deploymentId, targetVersion: '2.0.0' }],
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
    // pre stopped the task worker; post failed before it started it again.
    expect(progress.left).toMatch(/; still stopped: task-worker \(Deployment [a-z0-9-]+, 1 replica\)$/);
    expect(progress.stillStopped).toEqual([expect.stringMatching(/^task-worker \(Deployment /)]);
    expect(cause.cause).toMatchObject({ type: 'CommandFailed', message: expect.stringMatching(/^exit code 3 in pod/) });

    const record = await readDeploymentRecord(environment.kubeConfig, { deploymentId, namespace: deploymentId });
    expect(record).toMatchObject({ status: 'failed', appVersion: '2.0.0' });
    expect(record!.history.at(-1)).toMatchObject({ status: 'failed', stateLeft: progress.left });
  }, 120_000);
});
