import { WorkflowFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { progressQuery } from '../../contract/messages.js';
import { uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

describe('one lifecycle run per deployment', () => {
  it('rejects a second run for the same deployment while the first runs, naming the first, then frees the lock', async () => {
    const deploymentId = uniqueName('locked');
    const input = { deploymentId, driver: 'lab-app', namespace: 'lab', parameters: { owner: 'ops' } };
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const first = await client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}-first`,
        args: [{ ...input, config: { delays: { prepare_a: 3000 } } }],
      });
      // Wait until the first run holds the lock and works in its pre mode.
      for (let i = 0; i < 100 && (await first.query(progressQuery)).modes[0]!.state !== 'running'; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const error = await client.workflow
        .execute(lifecycle.setup, { taskQueue, workflowId: `${deploymentId}-second`, args: [input] })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('DeploymentLocked');
      expect(cause.message).toContain(`deployment "${deploymentId}" is busy: the setup run "${deploymentId}-first"`);

      await first.result();
      const third = await client.workflow.execute(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}-third`,
        args: [{ deploymentId, driver: 'lab-app', namespace: 'lab', targetVersion: '1.1.0' }],
      });
      expect(third.progress.status).toBe('succeeded');
    });
  });
});
