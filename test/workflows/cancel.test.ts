/** An operator cancels a run: actions stop, the record says what happened, the lock is freed. */
import { WorkflowFailedError } from '@temporalio/client';
import { readDeploymentRecord } from '../../activities/record/store.js';
import { progressQuery } from '../../contract/messages.js';
import { actionId, uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

describe('cancelling a run', () => {
  it('stops its actions, records the cancelled run and frees the deployment for the next one', async () => {
    const deploymentId = uniqueName('cancel');
    const input = { deploymentId, driver: 'lab-app', namespace: 'lab-cancel', parameters: { owner: 'ops' } };
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const handle = await client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [{ ...input, config: { delays: { prepare_a: 30_000 } } }],
      });
      while ((await handle.query(progressQuery)).modes[0]!.actions.length < 5)
        await new Promise((r) => setTimeout(r, 100));
      await handle.cancel();
      const error = await handle.result().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const prepareA = await actionId(client, `${deploymentId}/setup`, 'pre', 'prepare_a');
      expect((await client.workflow.getHandle(prepareA).describe()).status.name).toBe('CANCELLED');

      const record = await readDeploymentRecord(harness.kubeConfig(), { deploymentId, namespace: input.namespace });
      expect(record!.history.at(-1)).toMatchObject({ hook: 'setup', status: 'cancelled' });
      expect(record!.history.at(-1)!.error).toMatch(
        /^cancelled in mode pre \(running: prepare_a(, prepare_[b-e])*\) \(by .+\)$/,
      );
      expect(record!.history.at(-1)!.stateLeft).toMatch(
        /^pre cancelled \(.*cancelled: .*prepare_a.*\); not run: core, post$/,
      );
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      expect((await handle.query(progressQuery)).status).toBe('cancelled');

      const again = await client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup-again`,
        args: [input],
      });
      expect(again.progress.status).toBe('succeeded');
    });
  });
});
