import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { readDeploymentRecord } from '../../activities/record/store.js';
import { uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let harness: EngineHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

const namespace = 'lab-records';

function run(hook: 'setup' | 'upgrade', input: Record<string, unknown>) {
  return harness.withWorker((taskQueue) =>
    harness.temporal.client.workflow
      .execute(hook, { taskQueue, workflowId: uniqueName(`${hook}-${input.deploymentId}`), args: [input] })
      .then(
        () => undefined,
        (err: unknown) => err as WorkflowFailedError,
      ),
  );
}

/** Sets up a new deployment, then upgrades it to 1.4.0 with `action` told to fail; returns its id. */
async function setUpThenFailUpgrade(prefix: string, action: string): Promise<string> {
  const deploymentId = uniqueName(prefix);
  expect(
    await run('setup', { deploymentId, driver: 'lab-app', namespace, parameters: { owner: 'ops' } }),
  ).toBeUndefined();
  const error = await run('upgrade', {
    deploymentId,
    driver: 'lab-app',
    namespace,
    targetVersion: '1.4.0',
    config: { fail: [action] },
  });
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return deploymentId;
}

const record = (deploymentId: string) => readDeploymentRecord(harness.kubeConfig(), { deploymentId, namespace });

describe('the deployment record', () => {
  it('is created by setup, read and updated by upgrade, and keeps the parameters of the deployment', async () => {
    const deploymentId = uniqueName('rec');
    expect(
      await run('setup', {
        deploymentId,
        driver: 'lab-app',
        namespace,
        version: '1.2.0',
        parameters: { owner: 'ops', tier: 'large' },
      }),
    ).toBeUndefined();
    expect(await record(deploymentId)).toMatchObject({
      driver: 'lab-app',
      driverVersion: '1',
      appVersion: '1.2.0',
      status: 'deployed',
      parameters: { owner: 'ops', tier: 'large', replicas: 1 },
      history: [{ hook: 'setup', toVersion: '1.2.0', status: 'succeeded' }],
    });

    // No parameters given: the upgrade keeps the deployed ones (the required "owner" among them).
    expect(
      await run('upgrade', { deploymentId, driver: 'lab-app', namespace, targetVersion: '2.0.0' }),
    ).toBeUndefined();
    const upgraded = await record(deploymentId);
    expect(upgraded).toMatchObject({
      appVersion: '2.0.0',
      status: 'deployed',
      parameters: { owner: 'ops', tier: 'large' },
    });
    expect(upgraded!.history.map((h) => [h.hook, h.fromVersion, h.toVersion, h.status])).toEqual([
      ['setup', undefined, '1.2.0', 'succeeded'],
      ['upgrade', '1.2.0', '2.0.0', 'succeeded'],
    ]);
  });

  it('refuses, before any action runs, an upgrade without setup, a downgrade, a version outside supported_versions and a second setup', async () => {
    const deploymentId = uniqueName('refuse');
    const noSetup = await run('upgrade', { deploymentId, driver: 'lab-app', namespace, targetVersion: '2.0.0' });
    expect((noSetup!.cause as ApplicationFailure).type).toBe('RecordConflict');
    expect(noSetup!.cause!.message).toContain(
      `deployment "${deploymentId}" has no record in namespace "${namespace}": run setup first`,
    );

    expect(
      await run('setup', {
        deploymentId,
        driver: 'lab-app',
        namespace,
        version: '2.0.0',
        parameters: { owner: 'ops' },
      }),
    ).toBeUndefined();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ targetVersion: '1.5.0' }, 'RecordConflict', 'refusing to downgrade deployment'],
      [{ targetVersion: '3.0.0' }, 'InvalidInput', '3.0.0'],
    ];
    for (const [fields, type, message] of cases) {
      const error = await run('upgrade', { deploymentId, driver: 'lab-app', namespace, ...fields });
      expect((error!.cause as ApplicationFailure).type).toBe(type);
      expect(error!.cause!.message).toContain(message);
    }
    const again = await run('setup', { deploymentId, driver: 'lab-app', namespace, parameters: { owner: 'ops' } });
    expect(again!.cause!.message).toContain('is already set up');
    // No refused run started an action.
    const actions = await harness.temporal.client.workflow.count(
      `StyrminDeploymentId = "${deploymentId}" AND WorkflowType = "lab-app@1/stop_workers"`,
    );
    expect(actions.count).toBe(0);
    expect(await record(deploymentId)).toMatchObject({ appVersion: '2.0.0', status: 'deployed' });

    const downgrade = await run('upgrade', {
      deploymentId,
      driver: 'lab-app',
      namespace,
      targetVersion: '1.5.0',
      allowDowngrade: true,
    });
    expect(downgrade).toBeUndefined();
    expect((await record(deploymentId))!.appVersion).toBe('1.5.0');
  });

  it('says so when an upgrade fails, and what state it left', async () => {
    const deploymentId = await setUpThenFailUpgrade('broken', 'migrate');
    const failed = await record(deploymentId);
    expect(failed).toMatchObject({ status: 'failed', appVersion: '1.0.0' });
    expect(failed!.history.at(-1)).toMatchObject({
      hook: 'upgrade',
      fromVersion: '1.0.0',
      toVersion: '1.4.0',
      status: 'failed',
      stateLeft: 'pre succeeded (done: stop_workers); core failed (failed: migrate); not run: post',
    });
    expect(failed!.history.at(-1)!.error).toContain('migrate: [LabFailure] migrate was told to fail');
  });

  it('follows the release: after core succeeded and post failed, the new version is what is deployed', async () => {
    const deploymentId = await setUpThenFailUpgrade('released', 'notify');
    expect(await record(deploymentId)).toMatchObject({
      status: 'failed',
      appVersion: '1.4.0',
      history: [
        { hook: 'setup', status: 'succeeded' },
        {
          hook: 'upgrade',
          status: 'failed',
          stateLeft: 'pre succeeded (done: stop_workers); core succeeded (done: migrate); post failed (failed: notify)',
        },
      ],
    });
  });

  it('marks a terminated run as such when the next run starts', async () => {
    const deploymentId = uniqueName('terminated');
    expect(
      await run('setup', { deploymentId, driver: 'lab-app', namespace, parameters: { owner: 'ops' } }),
    ).toBeUndefined();
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const stuck = await client.workflow.start(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade-stuck`,
        args: [
          {
            deploymentId,
            driver: 'lab-app',
            namespace,
            targetVersion: '1.4.0',
            config: { delays: { stop_workers: 60_000 } },
          },
        ],
      });
      while ((await record(deploymentId))?.history.length !== 2) await new Promise((r) => setTimeout(r, 100));
      await stuck.terminate('stuck in a test');
    });
    expect((await record(deploymentId))!.history.at(-1)).toMatchObject({ status: 'in-progress' });

    expect(
      await run('upgrade', { deploymentId, driver: 'lab-app', namespace, targetVersion: '1.4.0' }),
    ).toBeUndefined();
    const history = (await record(deploymentId))!.history;
    expect(history.map((h) => h.status)).toEqual(['succeeded', 'terminated', 'succeeded']);
    expect(history[1]!.error).toMatch(
      /^the run was terminated before it could record how it ended \(reason: stuck in a test, by .+\)$/,
    );
    expect(history[1]!.endedAt).toBeDefined();
  });
});
