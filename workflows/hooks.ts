/**
 * The lifecycle workflows `setup` and `upgrade`: check the input, take the deployment's lock,
 * prepare the run, then run the modes pre → core → post, each mode's steps side by side.
 */
import {
  CancellationScope,
  isCancellation,
  log,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  defaultDecisionTimeout,
  Hook,
  OnActionFailure,
  runSummary,
  type HookInput,
  type SetupInput,
  type UpgradeInput,
  inputLimits,
} from '../contract/lifecycle.js';
import { Decision } from '../contract/decisions.js';
import { RunStatus, type RunResult } from '../contract/progress.js';
import type { CancellationRequest, PreparedRun } from '../contract/plan.js';
import { RunRecordStatus, type DeploymentRecord } from '../contract/record.js';
import {
  deploymentIdKey,
  driverKey,
  hookKey,
  kindKey,
  modeKey,
  statusKey,
  summaryKey,
  targetVersionKey,
  WorkflowKind,
} from '../contract/search-attributes.js';
import { bookkeeping, quickOptions, summarized } from './activity-options.js';
import { startedRecord, succeededRecord, unsucceededRecord } from './deployment-record.js';
import { describeFailure, runFailure } from './failures.js';
import { assertInputShape } from './input-shape.js';
import { acquireDeploymentLock, releaseDeploymentLock } from './lock.js';
import { Compensation } from './compensation.js';
import { OperatorDecisions } from './decisions.js';
import { runAborted, runMode, type RunControl, type RunScope } from './modes.js';
import { kindAndSummaryPatch } from './patches.js';
import { RunTracker, stateLeft } from './run-tracker.js';
import { countRun } from './metrics.js';

/** Patch id: a setup checks its input against the driver before it creates the namespace. */
const checkBeforeCreatePatch = 'setup-checks-before-creating-namespace';

/** Patch id: a cancelled run asks Temporal who cancelled it, for its record. */
const cancellationRequestPatch = 'cancelled-run-names-who-asked';

/** First creation of a deployment: installs the application at `version` with its setup actions. */
export async function setup(input: SetupInput): Promise<RunResult> {
  return counted(Hook.Setup, input, runHook(Hook.Setup, input));
}

/** Moves a deployment to `targetVersion` (or a new driver version) with its upgrade actions. */
export async function upgrade(input: UpgradeInput): Promise<RunResult> {
  return counted(Hook.Upgrade, input, runHook(Hook.Upgrade, input));
}

/** The run, counted in Styrmin's metrics once it ends, whatever way (an input refused at once too). */
async function counted(hook: Hook, input: HookInput, run: Promise<RunResult>): Promise<RunResult> {
  // A label value: bounded, even for an input refused because its driver name is not one.
  const given: unknown = input?.driver;
  const driver = typeof given === 'string' && given.length <= inputLimits.name ? given : 'invalid';
  try {
    const result = await run;
    countRun(hook, driver, RunStatus.Succeeded);
    return result;
  } catch (err) {
    countRun(hook, driver, isCancellation(err) ? RunStatus.Cancelled : RunStatus.Failed);
    throw err;
  }
}

/**
 * What a cancelled run says of its end: where it was and who asked. Runs cancelled before this
 * asked Temporal nothing; they keep their history when they replay.
 */
async function cancellationText(tracker: RunTracker): Promise<string> {
  const where = tracker.whereNow();
  if (!patched(cancellationRequestPatch)) return `cancelled ${where}`;
  const { workflowId, runId } = workflowInfo();
  const request = await CancellationScope.nonCancellable(() =>
    summarized(quickOptions, 'ask Temporal who cancelled the run').describeCancellation({ workflowId, runId }),
  ).catch(() => ({}) as CancellationRequest);
  const who = [request.identity && `by ${request.identity}`, request.reason && `reason: ${request.reason}`]
    .filter(Boolean)
    .join(', ');
  return `cancelled ${where}${who ? ` (${who})` : ''}`;
}

/** Patch id: a run keeps the secret values its input gave in the deployment's Secret, and passes on only a mask. */
const secretsByReferencePatch = 'secret-parameters-by-reference';

/**
 * Keeps the secret parameter values (or Secret references) the input gave in the deployment's
 * Secret, before anything of the run may need them. Runs started before secrets were kept by
 * reference carry them in their context and record instead.
 */
async function storeSecretParameters(deploymentId: string, namespace: string, input: HookInput, names: string[]) {
  const values = Object.fromEntries(Object.entries(input.parameters ?? {}).filter(([name]) => names.includes(name)));
  if (Object.keys(values).length === 0 || !patched(secretsByReferencePatch)) return;
  await bookkeeping(
    `keep secret parameters ${Object.keys(values).join(', ')} in the Secret of deployment ${deploymentId}`,
  ).storeSecretParameters({ deploymentId, namespace, values });
}

/** The activities that write the deployment record, summarized with what the write records. */
function recordWriter(deploymentId: string, what: string) {
  return bookkeeping(`record the run as ${what} in the record of deployment ${deploymentId}`);
}

async function runHook(hook: Hook, input: HookInput): Promise<RunResult> {
  assertInputShape(hook, input);
  const { deploymentId, namespace } = input;
  const tracker = new RunTracker(deploymentId, input.driver, hook);
  const saysWhatItIs = patched(kindAndSummaryPatch);
  upsertSearchAttributes([
    { key: deploymentIdKey, value: deploymentId },
    { key: driverKey, value: input.driver },
    { key: hookKey, value: hook },
    { key: statusKey, value: RunStatus.Running },
    ...(saysWhatItIs
      ? [
          { key: kindKey, value: WorkflowKind.Run },
          { key: summaryKey, value: runSummary(hook, input) },
        ]
      : []),
  ]);

  // Registered at once, so a decision sent to a run that waits for none is told why.
  const decisions = new OperatorDecisions(tracker, input.decisionTimeout ?? defaultDecisionTimeout);
  const lock = await acquireDeploymentLock(deploymentId, hook);
  let record: DeploymentRecord | undefined;
  let run: PreparedRun | undefined;
  let compensation: Compensation | undefined;
  try {
    // A setup creates its namespace only once the input has passed every check. Runs started
    // before this order created it first; they keep their order when they replay.
    const checkBeforeCreate = patched(checkBeforeCreatePatch);
    const ensureNamespace = () =>
      bookkeeping(`create namespace ${namespace} if missing`).ensureNamespace({ namespace });
    if (hook === Hook.Setup && !checkBeforeCreate) await ensureNamespace();
    const previous = await bookkeeping(
      `read the record of deployment ${deploymentId} (namespace ${namespace})`,
    ).readDeploymentRecord({ deploymentId, namespace });
    const { workflowId, runId } = workflowInfo();
    run = await bookkeeping(`check the ${hook} input and plan the run (driver ${input.driver})`).prepareRun({
      hook,
      input,
      workflowId,
      record: previous,
    });
    const scope: RunScope = { deploymentId, hook, run };
    compensation = new Compensation(scope, tracker, input.compensate !== false);
    if (hook === Hook.Setup && checkBeforeCreate) await ensureNamespace();
    await storeSecretParameters(deploymentId, namespace, input, run.secretParameters);
    tracker.setVersions(run.versions);
    const known = { versions: run.versions, driverVersion: run.context.driver.version };
    upsertSearchAttributes([
      { key: targetVersionKey, value: run.versions.target },
      ...(saysWhatItIs ? [{ key: summaryKey, value: runSummary(hook, input, known) }] : []),
    ]);
    await compensation.begin();
    record = startedRecord(previous, run, { hook, workflowId, runId, startedAt: new Date().toISOString() });
    record = await recordWriter(deploymentId, 'started').writeDeploymentRecord({ deploymentId, namespace, record });

    const control: RunControl = {
      compensation,
      decisions: input.onActionFailure === OnActionFailure.Wait ? decisions : undefined,
    };
    for (const plan of run.plan) {
      upsertSearchAttributes([{ key: modeKey, value: plan.mode }]);
      if (input.approveBefore?.includes(plan.mode)) {
        const decided = await decisions.approval(plan.mode);
        if (decided.decision === Decision.Abort) {
          tracker.skipPendingModes();
          await compensation.settle();
          throw runAborted(scope, plan.mode, decided, [], stateLeft(tracker.progress));
        }
      }
      await runMode(scope, plan, tracker, control);
    }

    const succeeded = succeededRecord(record, run, new Date().toISOString(), tracker.progress);
    record = await recordWriter(deploymentId, 'succeeded').writeDeploymentRecord({
      deploymentId,
      namespace,
      record: succeeded,
    });
    tracker.succeeded();
    return { deploymentId, hook, versions: run.versions, progress: tracker.progress };
  } catch (err) {
    const cancelled = isCancellation(err);
    // Runs started before compensation looked at what was left stopped only when cancelled here.
    if (compensation && (cancelled || compensation.puttingBack)) await compensation.settle();
    const error = cancelled ? await cancellationText(tracker) : describeFailure(err);
    if (cancelled) tracker.cancelled(error);
    else tracker.failed(error);
    // Leave a record of what happened even when the run is being cancelled.
    if (record && run) {
      const ending = {
        status: cancelled ? RunRecordStatus.Cancelled : RunRecordStatus.Failed,
        error,
        endedAt: new Date().toISOString(),
      };
      const ended = unsucceededRecord(record, run, tracker.progress, ending);
      // The run's own failure matters more than a record that could not be written.
      await CancellationScope.nonCancellable(() =>
        recordWriter(deploymentId, ending.status).writeDeploymentRecord({ deploymentId, namespace, record: ended }),
      ).catch((writeError: unknown) =>
        log.warn('the failed run could not be recorded in the cluster', {
          deploymentId,
          error: describeFailure(writeError),
        }),
      );
    }
    throw runFailure(err);
  } finally {
    upsertSearchAttributes([{ key: statusKey, value: tracker.progress.status }]);
    await CancellationScope.nonCancellable(() => releaseDeploymentLock(lock));
  }
}
