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

/** A lab-app setup whose post action `probe` checks `url`; `config` adds to the run's config. */
function probeSetup(deploymentId: string, url: string, config: object = {}) {
  const input = { deploymentId, driver: 'lab-app', namespace: 'lab', parameters: { owner: 'ops' } };
  return { ...input, config: { probeUrl: url, ...config } };
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
      const { client } = harness.temporal;
      const probe = await client.workflow
        .getHandle(await actionId(client, `${outcome.deploymentId}-setup`, 'post', 'probe'))
        .result();
      expect(probe).toBe('probe answered 200');
      // Quick calls stay the action's own business: the run heard nothing of them.
      const history = await client.workflow.getHandle(`${outcome.deploymentId}-setup`).fetchHistory();
      expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes)).toEqual([]);
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

  it('fails with ServiceUnavailable, saying what the service answered, once a retryable failure outlasts the retries', async () => {
    const server = await endpoint([503]);
    try {
      const outcome = await probeRun(server.url);
      expect('error' in outcome && outcome.error).toBeInstanceOf(WorkflowFailedError);
      const message = (outcome as { error: WorkflowFailedError }).error.cause!.message;
      expect(message).toContain('probe: [ServiceUnavailable]');
      expect(message).toContain('answered 503, expected 200');
      expect(server.calls()).toBe(5);
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
        expect(details).toMatch(/^\*\*Doing now:\*\*\n\n- `GET http:\/\/127\.0\.0\.1:\d+\/health` \(since .*\)$/);
        await run.terminate('the test has seen enough').catch(() => undefined); // it may have failed already
      });
    } finally {
      await server.close();
    }
  });

  it('shows in the run’s progress and Current Details a long durable wait at once and a stuck primitive after 10 s', async () => {
    const server = await endpoint([503]);
    const deploymentId = uniqueName('waits');
    const { client } = harness.temporal;
    try {
      await harness.withWorker(async (taskQueue) => {
        // post runs `verify`, told to wait an hour, beside `probe`, which retries for about a minute.
        const config = { probeAttempts: 60, delays: { verify: 3_600_000 } };
        const run = await client.workflow.start(lifecycle.setup, {
          taskQueue,
          workflowId: `${deploymentId}-setup`,
          args: [probeSetup(deploymentId, server.url, config)],
        });
        const waitingOn = async (action: string) => {
          const progress = await run.query(progressQuery);
          return progress.modes.flatMap((m) => m.actions).find((a) => a.name === action)?.now;
        };
        const until = async <T>(read: () => Promise<T | undefined>, seconds: number): Promise<T> => {
          for (let i = 0; i < seconds * 10; i++) {
            const value = await read();
            if (value !== undefined) return value;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          throw new Error(`nothing after ${seconds} s`);
        };
        const verifyNow = await until(() => waitingOn('verify'), 10);
        const postStarted = Date.parse((await run.query(progressQuery)).modes[2]!.startedAt!);
        expect(verifyNow).toEqual([
          { what: expect.stringMatching(/^wait until .*: verify works for 3600000 ms$/), since: expect.any(String) },
        ]);
        expect(await waitingOn('probe')).toBeUndefined();

        const probeNow = await until(() => waitingOn('probe'), 30);
        expect(probeNow).toEqual([{ what: server.url.replace(/^/, 'GET '), since: expect.any(String) }]);
        // Told once the call had lasted 10 s, not before.
        expect(Date.now() - postStarted).toBeGreaterThanOrEqual(10_000);
        const { currentDetails } = await run.query<{ currentDetails: string }>('__temporal_workflow_metadata');
        expect(currentDetails).toMatch(
          /\[`probe`\]\([^)]+\) running \(waiting on `GET http:\/\/127\.0\.0\.1:\d+\/health` since /,
        );
        expect(currentDetails).toMatch(
          /\[`verify`\]\([^)]+\) running \(waiting on `wait until .*: verify works for 3600000 ms` since /,
        );
        await run.terminate('the test has seen enough');
      });
    } finally {
      await server.close();
    }
  }, 60_000);
});
