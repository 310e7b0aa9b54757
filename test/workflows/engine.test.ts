import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { progressQuery } from '../../contract/messages.js';
import type { SetupInput } from '../../contract/lifecycle.js';
import type { RunResult } from '../../contract/progress.js';
import type { Mode } from '../../contract/lifecycle.js';
import { actionId, uniqueName } from '../support/temporal.js';
import { fixtureDrivers, startHarness, type EngineHarness } from './harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

function labSetup(deploymentId: string, config: Record<string, unknown> = {}): SetupInput {
  return { deploymentId, driver: 'lab-app', namespace: 'lab', parameters: { owner: 'ops' }, config };
}

async function childTimes(workflowId: string) {
  const { startTime, closeTime, status } = await harness.temporal.client.workflow.getHandle(workflowId).describe();
  return { start: startTime.getTime(), close: closeTime?.getTime() ?? Infinity, status: status.name };
}

describe('setup on a real Temporal server', () => {
  it('ends every pre action before any core action starts, and every core before any post', async () => {
    const id = uniqueName('order');
    const delays = { prepare_a: 200, prepare_b: 1200, prepare_c: 600, install: 400, verify: 100 };
    const result: RunResult = await harness.withWorker((taskQueue) =>
      harness.temporal.client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${id}-setup`,
        args: [labSetup(id, { delays })],
      }),
    );
    const child = async (mode: Mode, action: string) =>
      childTimes(await actionId(harness.temporal.client, `${id}-setup`, mode, action));
    const pre = await Promise.all(
      ['prepare_a', 'prepare_b', 'prepare_c', 'prepare_d', 'prepare_e'].map((a) => child('pre', a)),
    );
    const core = await child('core', 'install');
    const post = await Promise.all(['verify', 'probe'].map((a) => child('post', a)));
    for (const p of pre) expect(p.close).toBeLessThanOrEqual(core.start);
    for (const p of post) expect(core.close).toBeLessThanOrEqual(p.start);
    expect([...pre, core, ...post].every((c) => c.status === 'COMPLETED')).toBe(true);
    // The longest pre action bounds the mode: core starts after prepare_b's 1.2 s, not before.
    expect(core.start - Math.min(...pre.map((p) => p.start))).toBeGreaterThanOrEqual(1200);

    const modes = result.progress.modes;
    expect(modes.map((m) => [m.mode, m.state])).toEqual([
      ['pre', 'succeeded'],
      ['core', 'succeeded'],
      ['post', 'succeeded'],
    ]);
    expect(modes[0]!.actions).toHaveLength(5);
    expect(modes[0]!.actions.every((a) => a.attempts === 1 && a.startedAt && a.endedAt)).toBe(true);
  });

  it('runs the actions of one mode side by side: five 2 s actions take about 2 s, not 10 s', async () => {
    const id = uniqueName('fanout');
    const delays = Object.fromEntries(
      ['prepare_a', 'prepare_b', 'prepare_c', 'prepare_d', 'prepare_e'].map((a) => [a, 2000]),
    );
    const result: RunResult = await harness.withWorker((taskQueue) =>
      harness.temporal.client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${id}-setup`,
        args: [labSetup(id, { delays })],
      }),
    );
    const pre = result.progress.modes[0]!;
    const took = Date.parse(pre.endedAt!) - Date.parse(pre.startedAt!);
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(2000 * 2);
  });

  it('lets siblings of a failed action finish, never starts core, and names the action and its cause', async () => {
    const id = uniqueName('fail');
    const workflowId = `${id}-setup`;
    const handle = harness.temporal.client.workflow.getHandle(workflowId);
    const { error, progress, metadata } = await harness.withWorker(async (taskQueue) => {
      const run = harness.temporal.client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId,
        args: [labSetup(id, { fail: ['prepare_b'], delays: { prepare_a: 1000 } })],
      });
      const ended = await run.then(
        () => undefined,
        (err: unknown) => err,
      );
      // Queries of the ended run, while a worker can still answer them.
      return {
        error: ended,
        progress: await handle.query(progressQuery),
        metadata: await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata'),
      };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('ModeFailed');
    expect(cause.message).toContain('stopped in mode pre');
    expect(cause.message).toContain('prepare_b: [LabFailure] prepare_b was told to fail');
    expect(cause.message).not.toContain('prepare_a:');
    // A line per failed action, then what the run left; the failed action's own failure is the cause.
    expect(cause.message.split('\n')).toEqual([
      expect.stringMatching(/stopped in mode pre: 1 of \d+ actions failed$/),
      '- prepare_b: [LabFailure] prepare_b was told to fail',
      expect.stringMatching(/^Left: pre failed \(.*failed: prepare_b.*\); not run: core, post$/),
    ]);
    expect(cause.cause).toMatchObject({ type: 'LabFailure', message: 'prepare_b was told to fail' });
    // The run's final Current Details, its progress and its failure tell the same account of what it left.
    expect(cause.message).toContain(`Left: ${progress.left}`);
    expect(metadata.currentDetails).toContain(`**Left:** ${progress.left}`);
    expect(metadata.currentDetails).toContain('**Why:** [ModeFailed] setup of deployment');

    expect((await childTimes(await actionId(harness.temporal.client, workflowId, 'pre', 'prepare_a'))).status).toBe(
      'COMPLETED',
    );
    expect((await childTimes(await actionId(harness.temporal.client, workflowId, 'pre', 'prepare_b'))).status).toBe(
      'FAILED',
    );
    await expect(
      harness.temporal.client.workflow
        .getHandle(await actionId(harness.temporal.client, workflowId, 'core', 'install'))
        .describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('fails an action that throws a plain Error, instead of retrying its workflow task forever', async () => {
    const id = uniqueName('plain');
    const error = await harness.withWorker((taskQueue) =>
      harness.temporal.client.workflow
        .execute(lifecycle.setup, {
          taskQueue,
          workflowId: `${id}-setup`,
          args: [labSetup(id, { throwPlain: ['prepare_c'] })],
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        ),
    );
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('ModeFailed');
    expect(cause.message).toContain('prepare_c: [ActionFailed] prepare_c found the database unreachable');
    // The action's own failure, chained as the cause, points at the driver's file and line.
    expect(cause.cause).toMatchObject({ type: 'ActionFailed', message: 'prepare_c found the database unreachable' });
    const source = fs.readFileSync(path.join(fixtureDrivers, 'lab-app', 'actions.ts'), 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes('found the database unreachable')) + 1;
    expect(cause.cause?.stack).toContain(`lab-app/actions.ts:${line}`);
  });

  it('gives every run its own action ids, even when two upgrades of a deployment share a workflow id', async () => {
    const id = uniqueName('ids');
    const { client } = harness.temporal;
    const actionIds = await harness.withWorker(async (taskQueue) => {
      const input = { deploymentId: id, driver: 'lab-app', namespace: 'lab', parameters: { owner: 'ops' } };
      await client.workflow.execute(lifecycle.setup, { taskQueue, workflowId: `${id}/setup`, args: [input] });
      const ids: string[][] = [];
      for (const targetVersion of ['1.3.0', '1.4.0']) {
        const result = await client.workflow.execute(lifecycle.upgrade, {
          taskQueue,
          workflowId: `${id}/upgrade`,
          args: [{ ...input, targetVersion }],
        });
        ids.push(result.progress.modes.flatMap((m) => m.actions.map((a) => a.workflowId)));
      }
      return ids;
    });
    const [first, second] = actionIds as [string[], string[]];
    expect(first.length).toBeGreaterThan(1);
    // The release step of a run has the run's own id; every action has one of its own.
    const actionsOnly = (ids: string[]) => ids.filter((workflowId) => workflowId !== `${id}/upgrade`);
    expect(actionsOnly(first).filter((workflowId) => second.includes(workflowId))).toEqual([]);
    expect(actionsOnly(first)[0]).toMatch(new RegExp(`^${id}/upgrade/[0-9a-f-]{36}/pre/`));
  });

  it('says in search attributes what each workflow is and does, so a list can hold the runs alone', async () => {
    const id = uniqueName('kinds');
    const { client } = harness.temporal;
    const input = { deploymentId: id, driver: 'lab-app', namespace: 'lab', parameters: { owner: 'ops' } };
    const upgrade = await harness.withWorker(async (taskQueue) => {
      await client.workflow.execute(lifecycle.setup, { taskQueue, workflowId: `${id}/setup`, args: [input] });
      return client.workflow.execute(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${id}/upgrade`,
        args: [{ ...input, targetVersion: '1.3.0' }],
      });
    });
    const attributes = async (workflowId: string) => {
      const { searchAttributes } = await client.workflow.getHandle(workflowId).describe();
      return { kind: searchAttributes.StyrminKind, summary: searchAttributes.StyrminSummary };
    };
    expect(await attributes(`${id}/upgrade`)).toEqual({
      kind: ['run'],
      summary: [`upgrade ${id} 1.0.0 → 1.3.0 (lab-app@1, namespace lab)`],
    });
    const stopWorkers = upgrade.progress.modes[0]!.actions[0]!.workflowId;
    expect(await attributes(stopWorkers)).toEqual({
      kind: ['action'],
      summary: [`upgrade pre: stop_workers (deployment ${id})`],
    });
    expect((await attributes(`${id}/lock`)).kind).toEqual(['lock']);

    // The documented runs-only query (visibility catches up within moments).
    const query = `StyrminKind = "run" AND StyrminDeploymentId = "${id}"`;
    let listed: string[] = [];
    for (let i = 0; i < 50 && listed.length < 2; i++) {
      listed = [];
      for await (const run of client.workflow.list({ query })) listed.push(`${run.workflowId} ${run.type}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(listed.sort()).toEqual([`${id}/setup setup`, `${id}/upgrade upgrade`]);
  });

  it('answers the progress query while a run is in flight', async () => {
    const id = uniqueName('progress');
    await harness.withWorker(async (taskQueue) => {
      const handle = await harness.temporal.client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId: `${id}-setup`,
        args: [labSetup(id, { delays: { prepare_c: 1500 } })],
      });
      let progress = await handle.query(progressQuery);
      for (let i = 0; i < 50 && progress.modes[0]!.actions.length < 5; i++) {
        await new Promise((r) => setTimeout(r, 100));
        progress = await handle.query(progressQuery);
      }
      expect(progress.status).toBe('running');
      expect(progress.modes[0]!.state).toBe('running');
      expect(progress.modes[1]!.state).toBe('pending');
      const prepareC = progress.modes[0]!.actions.find((a) => a.name === 'prepare_c')!;
      expect(prepareC).toMatchObject({ state: 'running', attempts: 1, workflowType: 'lab-app@1/prepare_c' });
      // Temporal Web shows the same progress as the run's current details.
      const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toContain(`**setup** of \`${id}\` (lab-app) (new) → 1.0.0: running`);
      expect(metadata.currentDetails).toContain('- pre: running — ');
      // Each action links to its own workflow.
      const link = `/namespaces/default/workflows/${encodeURIComponent(prepareC.workflowId!)}`;
      expect(metadata.currentDetails).toContain(`[\`prepare_c\`](${link}) running`);
      await handle.result();
      expect((await handle.query(progressQuery)).status).toBe('succeeded');
    });
  });

  it('runs two drivers with same-named actions side by side, each its own code', async () => {
    const [a, b] = [uniqueName('twin-a'), uniqueName('twin-b')];
    await harness.withWorker(async (taskQueue) => {
      const { client } = harness.temporal;
      await Promise.all([
        client.workflow.execute(lifecycle.setup, {
          taskQueue,
          workflowId: `${a}-setup`,
          args: [labSetup(a, { delays: { install: 500 } })],
        }),
        client.workflow.execute(lifecycle.setup, {
          taskQueue,
          workflowId: `${b}-setup`,
          args: [{ deploymentId: b, driver: 'lab-twin', namespace: 'lab' } satisfies SetupInput],
        }),
      ]);
      expect(await client.workflow.getHandle(await actionId(client, `${a}-setup`, 'core', 'install')).result()).toBe(
        'lab-app:install',
      );
      expect(await client.workflow.getHandle(await actionId(client, `${b}-setup`, 'core', 'install')).result()).toBe(
        `lab-twin says install for ${b}`,
      );
      expect(
        (await client.workflow.getHandle(await actionId(client, `${b}-setup`, 'core', 'install')).describe()).type,
      ).toBe('lab-twin@2/install');
    });
  });

  it('fails an action type the worker does not know at once instead of hanging', async () => {
    const error = await harness.withWorker((taskQueue) =>
      harness.temporal.client.workflow
        .execute('lab-app@9/prepare_a', { taskQueue, workflowId: uniqueName('unknown'), args: [{}] })
        .then(
          () => undefined,
          (err: unknown) => err,
        ),
    );
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('UnknownAction');
    expect(cause.message).toContain('no action "lab-app@9/prepare_a"');
    expect(cause.message).toContain('lab-app@1/prepare_a');
  });
});
