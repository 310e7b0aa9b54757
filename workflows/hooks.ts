/**
 * The lifecycle workflows `setup` and `upgrade`: check the input, take the deployment's lock,
 * prepare the run, then run the modes pre → core → post, each mode's actions side by side.
 */
import { CancellationScope, log, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DeploymentRecord } from '../contract/record.js';
import { quick, release } from './activity-options.js';
import { describeFailure, runFailure } from './failures.js';
import { assertInputShape } from './input-shape.js';
import { acquireDeploymentLock, releaseDeploymentLock } from './lock.js';
import { progressQuery } from '../contract/messages.js';
import { failedRecord, startedRecord, succeededRecord } from './deployment-record.js';
import { modeFailed, runMode, type SharedActionInput } from './modes.js';
import { markAction, markMode, modeProgress, newProgress, publishProgress } from './progress.js';
import { deploymentIdKey, driverKey, hookKey, modeKey, statusKey, targetVersionKey } from '../contract/search-attributes.js';
import {
  ActionState,
  Hook,
  Mode,
  ModeState,
  RunStatus,
  type HookInput,
  type ModeProgress,
  type PreparedRun,
  type RunProgress,
  type RunResult,
  type SetupInput,
  type UpgradeInput,
} from '../contract/lifecycle.js';

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
  const { deploymentId } = input;
  const progress = newProgress(deploymentId, input.driver, hook);
  setHandler(progressQuery, () => progress);
  publishProgress();
  upsertSearchAttributes([
    { key: deploymentIdKey, value: deploymentId },
    { key: driverKey, value: input.driver },
    { key: hookKey, value: hook },
    { key: statusKey, value: RunStatus.Running },
  ]);

  const lock = await acquireDeploymentLock(deploymentId, hook);
  let record: DeploymentRecord | undefined;
  try {
    const { namespace } = input;
    if (hook === Hook.Setup) await quick.ensureNamespace({ namespace });
    const previous = await quick.readDeploymentRecord({ deploymentId, namespace });
    const run = await quick.prepareRun({ hook, input, workflowId: workflowInfo().workflowId, record: previous });
    progress.versions = run.versions;
    publishProgress();
    upsertSearchAttributes([{ key: targetVersionKey, value: run.versions.target }]);
    const { workflowId, runId } = workflowInfo();
    record = startedRecord(previous, run, { hook, workflowId, runId, startedAt: new Date().toISOString() });
    record = await quick.writeDeploymentRecord({ deploymentId, namespace, record });

    await runModes(hook, input, run, progress);

    record = await quick.writeDeploymentRecord({ deploymentId, namespace, record: succeededRecord(record, run, new Date().toISOString()) });
    progress.status = RunStatus.Succeeded;
    publishProgress();
    return { deploymentId, hook, versions: run.versions, progress };
  } catch (err) {
    progress.status = RunStatus.Failed;
    progress.error = describeFailure(err);
    publishProgress();
    // Leave a record of what happened even when the run is being cancelled.
    const started = record;
    if (started) {
      const failed = failedRecord(started, progress, progress.error, new Date().toISOString());
      // The run's own failure matters more than a record that could not be written.
      await CancellationScope.nonCancellable(() => quick.writeDeploymentRecord({ deploymentId, namespace: input.namespace, record: failed })).catch(
        (writeError: unknown) => log.warn('the failed run could not be recorded in the cluster', { deploymentId, error: describeFailure(writeError) }),
      );
    }
    throw runFailure(err);
  } finally {
    upsertSearchAttributes([{ key: statusKey, value: progress.status }]);
    await CancellationScope.nonCancellable(() => releaseDeploymentLock(lock));
  }
}

async function runModes(hook: Hook, input: HookInput, run: PreparedRun, progress: RunProgress): Promise<void> {
  const shared: SharedActionInput = {
    deploymentId: input.deploymentId,
    hook,
    versions: run.versions,
    parameters: run.context.parameters,
    context: run.context,
  };
  for (const plan of run.plan) {
    const mode = modeProgress(progress, plan.mode);
    upsertSearchAttributes([{ key: modeKey, value: plan.mode }]);
    if (plan.actions.length === 0 && !plan.helmRelease) {
      markMode(mode, ModeState.Skipped);
      continue;
    }
    markMode(mode, ModeState.Running);
    try {
      if (plan.helmRelease) await runBuiltInRelease(shared, run, mode);
      else await runMode(shared, plan, mode);
      markMode(mode, ModeState.Succeeded);
    } catch (err) {
      markMode(mode, ModeState.Failed);
      for (const later of progress.modes.filter((m) => m.state === ModeState.Pending)) markMode(later, ModeState.Skipped);
      throw err;
    }
  }
}

/** A hook without core actions gets the Helm release step as its core. */
async function runBuiltInRelease(shared: SharedActionInput, run: PreparedRun, mode: ModeProgress): Promise<void> {
  const entry = { name: 'helm-release', workflowId: workflowInfo().workflowId, workflowType: 'releaseChart (activity)', state: ActionState.Pending, attempts: 0 };
  mode.actions.push(entry);
  markAction(entry, ActionState.Running);
  try {
    await release.releaseChart({ deploymentId: shared.deploymentId, hook: shared.hook, context: shared.context, ...run.release });
    markAction(entry, ActionState.Succeeded);
  } catch (err) {
    const error = describeFailure(err);
    markAction(entry, ActionState.Failed, error);
    throw modeFailed(shared, Mode.Core, [{ action: entry.name, error }], `${entry.name}: ${error}`);
  }
}
