/**
 * The lifecycle workflows `setup` and `upgrade`: check the input, take the deployment's lock,
 * prepare the run, then run the modes pre → core → post, each mode's steps side by side.
 */
import { CancellationScope, log, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { Hook, type HookInput, type RunResult, type SetupInput, type UpgradeInput } from '../contract/lifecycle.js';
import type { DeploymentRecord } from '../contract/record.js';
import { deploymentIdKey, driverKey, hookKey, modeKey, statusKey, targetVersionKey } from '../contract/search-attributes.js';
import { RunStatus } from '../contract/progress.js';
import { quick } from './activity-options.js';
import { failedRecord, startedRecord, succeededRecord } from './deployment-record.js';
import { describeFailure, runFailure } from './failures.js';
import { assertInputShape } from './input-shape.js';
import { acquireDeploymentLock, releaseDeploymentLock } from './lock.js';
import { runMode } from './modes.js';
import { RunTracker } from './run-tracker.js';

/** Patch id: a setup checks its input against the driver before it creates the namespace. */
const checkBeforeCreatePatch = 'setup-checks-before-creating-namespace';

/** First creation of a deployment: installs the application at `version` with its setup actions. */
export async function setup(input: SetupInput): Promise<RunResult> {
  return runHook(Hook.Setup, input);
}

/** Moves a deployment to `targetVersion` (or a new driver version) with its upgrade actions. */
export async function upgrade(input: UpgradeInput): Promise<RunResult> {
  return runHook(Hook.Upgrade, input);
}

async function runHook(hook: Hook, input: HookInput): Promise<RunResult> {
  assertInputShape(hook, input);
  const { deploymentId, namespace } = input;
  const tracker = new RunTracker(deploymentId, input.driver, hook);
  upsertSearchAttributes([
    { key: deploymentIdKey, value: deploymentId },
    { key: driverKey, value: input.driver },
    { key: hookKey, value: hook },
    { key: statusKey, value: RunStatus.Running },
  ]);

  const lock = await acquireDeploymentLock(deploymentId, hook);
  let record: DeploymentRecord | undefined;
  try {
    // A setup creates its namespace only once the input has passed every check. Runs started
    // before this order created it first; they keep their order when they replay.
    const checkBeforeCreate = patched(checkBeforeCreatePatch);
    if (hook === Hook.Setup && !checkBeforeCreate) await quick.ensureNamespace({ namespace });
    const previous = await quick.readDeploymentRecord({ deploymentId, namespace });
    const { workflowId, runId } = workflowInfo();
    const run = await quick.prepareRun({ hook, input, workflowId, record: previous });
    if (hook === Hook.Setup && checkBeforeCreate) await quick.ensureNamespace({ namespace });
    tracker.setVersions(run.versions);
    upsertSearchAttributes([{ key: targetVersionKey, value: run.versions.target }]);
    record = startedRecord(previous, run, { hook, workflowId, runId, startedAt: new Date().toISOString() });
    record = await quick.writeDeploymentRecord({ deploymentId, namespace, record });

    for (const plan of run.plan) {
      upsertSearchAttributes([{ key: modeKey, value: plan.mode }]);
      await runMode({ deploymentId, hook, run }, plan, tracker);
    }

    const succeeded = succeededRecord(record, run, new Date().toISOString());
    record = await quick.writeDeploymentRecord({ deploymentId, namespace, record: succeeded });
    tracker.succeeded();
    return { deploymentId, hook, versions: run.versions, progress: tracker.progress };
  } catch (err) {
    const error = describeFailure(err);
    tracker.failed(error);
    // Leave a record of what happened even when the run is being cancelled.
    if (record) {
      const failed = failedRecord(record, tracker.progress, error, new Date().toISOString());
      // The run's own failure matters more than a record that could not be written.
      await CancellationScope.nonCancellable(() => quick.writeDeploymentRecord({ deploymentId, namespace, record: failed })).catch(
        (writeError: unknown) => log.warn('the failed run could not be recorded in the cluster', { deploymentId, error: describeFailure(writeError) }),
      );
    }
    throw runFailure(err);
  } finally {
    upsertSearchAttributes([{ key: statusKey, value: tracker.progress.status }]);
    await CancellationScope.nonCancellable(() => releaseDeploymentLock(lock));
  }
}
