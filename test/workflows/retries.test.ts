import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowFailedError } from '@temporalio/client';
import { stepsNow } from '../../client.js';
import { progressQuery } from '../../contract/messages.js';
import { actionWorkflowId } from '../../contract/plan.js';
import { actionId, uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

/** An HTTP endpoint answering the given statuses in turn, then the last one forever. */
async function endpoint(statuses: number[]) {
  let calls = 0;
  const server = http.createServer((_req, res) => {
    const status = statuses[Math.min(calls++, statuses.length - 1)]!;
    res.writeHead(status).end(`status ${status}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  return { url, calls: () => calls, close: () => new Promise((r) => server.close(r)) };
}

/** A lab-app setup whose post action `probe` checks `url`. */
function probeSetup(deploymentId: string, url: string) {
  return { deploymentId, driver: 'lab-app', namespace: 'lab', parameters: { owner: 'ops' }, config: { probeUrl: url } };
}

function probeRun(url: string) {
  const deploymentId = uniqueName('probe');
  return harness.withWorker((taskQueue) =>
    harness.temporal.client.workflow
      .execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}-setup`,
        args: [probeSetup(deploymentId, url)],
      })
      .then(
        (result) => ({ result, deploymentId }),
        (error: unknown) => ({ error, deploymentId }),
      ),
  );
}

describe('primitive retries', () => {
  it('retries a primitive that fails twice with a retryable error, then succeeds', async () => {
    const server = await endpoint([503, 503, 200]);
    try {
      const outcome = await probeRun(server.url);
      expect('result' in outcome).toBe(true);
      expect(server.calls()).toBe(3);
      const probe = await harness.temporal.client.workflow
        .getHandle(await actionId(harness.temporal.client, `${outcome.deploymentId}-setup`, 'post', 'probe'))
        .result();
      expect(probe).toBe('probe answered 200');
    } finally {
      await server.close();
    }
  });

  it('does not retry a non-retryable failure', async () => {
    const server = await endpoint([404, 200]);
    try {
      const outcome = await probeRun(server.url);
      expect('error' in outcome && outcome.error).toBeInstanceOf(WorkflowFailedError);
      const message = (outcome as { error: WorkflowFailedError }).error.cause!.message;
      expect(message).toContain('probe: [CheckFailed]');
      expect(message).toContain('answered 404, expected 200');
      expect(server.calls()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('shows what an action stuck on a failing primitive waits on: in its Current Details and through stepsNow', async () => {
    const server = await endpoint([503]);
    const deploymentId = uniqueName('stuck');
    const { client } = harness.temporal;
    try {
      await harness.withWorker(async (taskQueue) => {
        const run = await client.workflow.start(lifecycle.setup, {
          taskQueue,
          workflowId: `${deploymentId}-setup`,
          args: [probeSetup(deploymentId, server.url)],
        });
        const probe = client.workflow.getHandle(actionWorkflowId(await run.describe(), 'post', 'probe'));
        // The probe retries 5 times, 50 ms apart and doubling: look while it is between attempts.
        let now: Record<string, string> = {};
        let details = '';
        for (let i = 0; i < 400 && !/attempt [2-9]/.test(now.probe ?? ''); i++) {
          await new Promise((resolve) => setTimeout(resolve, 25));
          now = await stepsNow(client, await run.query(progressQuery), run.workflowId).catch(() => ({}));
          if (now.probe)
            details = (await probe.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
        }
        expect(now.probe).toMatch(/^checkHttp attempt [2-9] of 5, last error: .*503/);
        expect(details).toMatch(/^\*\*Doing now:\*\*\n\n- GET http:\/\/127\.0\.0\.1:\d+\/health \(since .*\)$/);
        await run.terminate('the test has seen enough').catch(() => undefined); // it may have failed already
      });
    } finally {
      await server.close();
    }
  });
});
