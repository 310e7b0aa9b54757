/**
 * The example driver's migration runs once even when the worker running it goes away at the worst
 * moment: after `example-app migrate` ran and its once-only key was recorded, but before Temporal
 * heard that the activity completed. The run resumes on a new worker, Temporal retries the
 * activity there, and the retry returns the recorded migration instead of migrating again.
 *
 * The lost completion is made deterministic by wrapping worker A's `executeCommands`: its first
 * keyed attempt runs for real (command and record), then holds its result until the worker shuts
 * down, so the attempt ends as a failure instead of a completion, as if the process had died.
 * Migrations are counted by the example image's `example-app` run by the test server's exec handler (it notes each one in a file), so this test always runs
 * on its own test server, STYRMIN_TEST_KUBECONFIG or not.
 */
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { onceConfigMapName, type OnceEntry } from '../../activities/kubernetes/once.js';
import type { Activities } from '../../contract/activities.js';
import type { CommandResult } from '../../contract/kubernetes.js';
import type { RunResult } from '../../contract/progress.js';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { processExecHandler } from '../../kubesim/exec/process-handler.js';
import { startChartRepo, type ChartRepo } from '../../runtime/chart-repository.js';
import { exampleAppExecPath, repoRoot } from '../../scripts/example-environment.js';
import { migrationLog } from '../support/example-deployment.js';
import { actionId, uniqueName } from '../support/temporal.js';
import { exampleDrivers, startHarness, type EngineHarness } from '../workflows/harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let sim: KubeSim;
let charts: ChartRepo;
let harness: EngineHarness;
const migrations = migrationLog();

beforeAll(async () => {
  sim = await startKubeSim({ readyDelayMs: 200 });
  sim.setExecHandler(
    processExecHandler(60_000, { path: [exampleAppExecPath], env: { EXAMPLE_APP_LOG: migrations.file } }),
  );
  charts = await startChartRepo({ charts: [{ dir: path.join(repoRoot, 'drivers', 'example-app', 'chart') }] });
  harness = await startHarness([exampleDrivers], {
    kubeConfig: sim.kubeConfig(),
    defaults: { chartLocations: { 'example-app': charts.url } },
  });
}, 120_000);
afterAll(async () => {
  await harness?.close();
  await charts?.close();
  await sim?.close();
});

/**
 * `executeCommands` whose first keyed attempt does all its work, then never reports it: it waits
 * for the worker's shutdown and fails with the cancellation, like a worker that died just then.
 */
function losingFirstCompletion(real: Activities['executeCommands'], onHeld: () => void): Activities['executeCommands'] {
  return async (input) => {
    const results = await real(input);
    if (!input.once || Context.current().info.attempt > 1) return results;
    onHeld();
    await Context.current().cancelled;
    return results;
  };
}

/** A worker of the harness's drivers on `taskQueue`; `onHeld` makes it lose its first keyed exec completion. */
async function worker(taskQueue: string, onHeld?: () => void): Promise<Worker> {
  const { temporal, drivers, bundle, kubeConfig } = harness;
  const activities = createActivities({
    drivers,
    client: temporal.client,
    kubeConfig,
    defaults: { chartLocations: { 'example-app': charts.url } },
  });
  if (onHeld) activities.executeCommands = losingFirstCompletion(activities.executeCommands, onHeld);
  // Workflow tasks meant for a stopped worker's sticky queue go to the shared queue after this.
  const stickyQueueScheduleToStartTimeout = '1s';
  return Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
    stickyQueueScheduleToStartTimeout,
  });
}

describe('a migration with a once-only key', () => {
  it('runs once when the worker goes away after the migration ran, before its completion reached Temporal', async () => {
    const deploymentId = uniqueName('shop');
    const namespace = deploymentId;
    const taskQueue = uniqueName('styrmin-test');
    const { client } = harness.temporal;

    let held: () => void = () => undefined;
    const migrationHeld = new Promise<void>((resolve) => (held = resolve));
    const first = await worker(taskQueue, held);
    const firstRunning = first.run();
    const setup: RunResult = await client.workflow.execute(lifecycle.setup, {
      taskQueue,
      workflowId: `${deploymentId}/setup`,
      args: [{ deploymentId, driver: 'example-app', namespace, version: '1.0.0', parameters: { replicas: 1 } }],
    });
    expect(setup.progress.modes.map((m) => m.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const upgrade = await client.workflow.start(lifecycle.upgrade, {
      taskQueue,
      workflowId: `${deploymentId}/upgrade`,
      args: [{ deploymentId, driver: 'example-app', namespace, targetVersion: '2.0.0' }],
    });

    await migrationHeld;
    expect(migrations.targetsIn(namespace)).toEqual(['2.0.0']);
    first.shutdown();
    await firstRunning;

    const second = await worker(taskQueue);
    const result: RunResult = await second.runUntil(upgrade.result());

    expect(result.progress.modes.map((m) => m.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(migrations.targetsIn(namespace)).toEqual(['2.0.0']);
    const action = client.workflow.getHandle(
      await actionId(client, `${deploymentId}/upgrade`, 'post', 'migrate_and_restart'),
    );
    const [migration] = (await action.result()) as CommandResult[];
    expect(migration).toMatchObject({
      command: ['example-app', 'migrate', '--to', '2.0.0'],
      exitCode: 0,
      replayed: true,
    });
    expect(migration?.stdout).toContain('database schema is at 2.0.0');
    // The second attempt is the one that completed: the first did run, and lost its completion.
    const events = (await action.fetchHistory()).events ?? [];
    const execs = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeCommands')
        .map((e) => String(e.eventId)),
    );
    const attempts = events
      .flatMap((e) => e.activityTaskStartedEventAttributes ?? [])
      .filter((a) => execs.has(String(a.scheduledEventId)));
    expect(attempts.map((a) => a.attempt)).toEqual([2]);
    // The key is scoped to the upgrade run, the action's parent.
    const core = sim.kubeConfig().makeApiClient(CoreV1Api);
    const configMap = await core.readNamespacedConfigMap({ name: onceConfigMapName(deploymentId), namespace });
    const entries = Object.values(configMap.data ?? {}).map((json) => JSON.parse(json) as OnceEntry);
    expect(entries).toEqual([
      expect.objectContaining({
        key: 'migrate-to-2.0.0',
        workflowId: `${deploymentId}/upgrade`,
        runId: upgrade.firstExecutionRunId,
      }),
    ]);
  }, 120_000);
});
