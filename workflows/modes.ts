/**
 * One mode of a hook: every step of the mode starts at once (a driver action as a child workflow,
 * the built-in Helm release as an activity), the mode waits for all of them (a failure does not
 * cancel its siblings), then reports every failure in one error.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  executeChild,
  isCancellation,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { FailureType } from '../contract/failures.js';
import type { Hook, Mode } from '../contract/lifecycle.js';
import {
  actionWorkflowId,
  releaseStepName,
  type ActionStep,
  type ModePlan,
  type PlannedStep,
  type PreparedRun,
} from '../contract/plan.js';
import { ModeState } from '../contract/progress.js';
import { Decision } from '../contract/decisions.js';
import type { ReleaseChartResult } from '../contract/release.js';
import type { ActionRequest } from '../contract/run-context.js';
import {
  deploymentIdKey,
  driverKey,
  hookKey,
  kindKey,
  summaryKey,
  WorkflowKind,
} from '../contract/search-attributes.js';
import { releaseOptions, summarized } from './activity-options.js';
import type { Compensation } from './compensation.js';
import type { Decided, OperatorDecisions } from './decisions.js';
import { applicationFailureOf, describeFailure } from './failures.js';
import { kindAndSummaryPatch } from './patches.js';
import { stateLeft, type RunTracker, type StepTracker } from './run-tracker.js';

/** What every step of a run shares. */
export interface RunScope {
  deploymentId: string;
  hook: Hook;
  run: PreparedRun;
}

/** How a run meets failure: who decides when actions fail (none: the run fails at once), what it puts back. */
export interface RunControl {
  decisions?: OperatorDecisions;
  compensation: Compensation;
}

/** A failed step: its name and one line saying why. */
interface StepFailure {
  action: string;
  error: string;
}

/** A failed step with the failure itself, chained as the cause of the mode's failure. */
interface FailedStep extends StepFailure {
  failure: unknown;
}

/**
 * Runs a mode's steps side by side, or skips a mode without steps. When steps fail, the run
 * either fails with every failed step listed, or waits for an operator to retry them, skip them
 * or abort the run (`onActionFailure: "wait"`).
 */
export async function runMode(
  scope: RunScope,
  plan: ModePlan,
  tracker: RunTracker,
  control: RunControl,
): Promise<void> {
  const mode = tracker.mode(plan.mode);
  const steps = stepsOf(plan);
  if (steps.length === 0) {
    mode.ended(ModeState.Skipped);
    return;
  }
  mode.running();
  const trackers = steps.map((step) => mode.step(stepIdentity(scope, plan.mode, step)));
  const attempt = (i: number): Promise<FailedStep | undefined> =>
    runStep(scope, plan.mode, steps[i]!, trackers[i]!).then(
      () => undefined,
      (err: unknown) => ({ action: steps[i]!.name, error: describeFailure(err), failure: err }),
    );
  const outcomes = await Promise.all(steps.map((_, i) => attempt(i)));
  const failedNow = () => outcomes.filter((outcome): outcome is FailedStep => outcome !== undefined);
  const stopped = async (state: typeof ModeState.Failed | typeof ModeState.Cancelled) => {
    mode.ended(state);
    tracker.skipPendingModes();
    if (state === ModeState.Failed) await control.compensation.settle();
  };
  for (let failed = failedNow(); failed.length > 0; failed = failedNow()) {
    // A run being cancelled stops as cancelled, not as a mode whose actions failed.
    const cancellation = failed.find((f) => isCancellation(f.failure));
    if (cancellation && CancellationScope.current().consideredCancelled) {
      await stopped(ModeState.Cancelled);
      throw cancellation.failure;
    }
    if (!control.decisions) {
      await stopped(ModeState.Failed);
      throw modeFailed(scope, plan.mode, failed, steps, stateLeft(tracker.progress));
    }
    const waitedOn = failed.map((f) => f.action);
    const decided = await control.decisions.onFailure(plan.mode, waitedOn).catch(async (err: unknown) => {
      if (isCancellation(err)) await stopped(ModeState.Cancelled);
      throw err;
    });
    if (decided.decision === Decision.Abort) {
      await stopped(ModeState.Failed);
      throw runAborted(scope, plan.mode, decided, failed, stateLeft(tracker.progress), failed[0]?.failure);
    }
    const chosen = steps.flatMap((step, i) => (decided.actions.includes(step.name) ? [i] : []));
    if (decided.decision === Decision.Skip) {
      for (const i of chosen) {
        trackers[i]!.skipped(decided.reason);
        outcomes[i] = undefined;
      }
    } else {
      await Promise.all(chosen.map(async (i) => (outcomes[i] = await attempt(i))));
    }
  }
  mode.ended(ModeState.Succeeded);
}

/**
 * The steps of a mode. Runs started before the plan listed steps recorded a mode's actions and a
 * `helmRelease` flag instead; they are read the same way, so those runs replay and resume.
 */
function stepsOf(plan: ModePlan): PlannedStep[] {
  if (plan.steps) return plan.steps;
  const legacy = plan as unknown as { actions: Omit<ActionStep, 'kind'>[]; helmRelease: boolean };
  const actions = legacy.actions.map((action): ActionStep => ({ ...action, kind: 'action' }));
  return legacy.helmRelease ? [{ kind: 'release', name: releaseStepName }] : actions;
}

/** Patch id: action ids are unique per run; runs started before keep `<deployment>/<hook>/<mode>/<action>`. */
const actionIdsPerRunPatch = 'action-ids-per-run';

/** Child workflow id of an action (contract/plan.ts). */
function childWorkflowId({ deploymentId, hook }: RunScope, mode: Mode, action: string): string {
  if (!patched(actionIdsPerRunPatch)) return `${deploymentId}/${hook}/${mode}/${action}`;
  return actionWorkflowId(workflowInfo(), mode, action);
}

function stepIdentity(scope: RunScope, mode: Mode, step: PlannedStep) {
  return step.kind === 'action'
    ? { name: step.name, workflowId: childWorkflowId(scope, mode, step.name), workflowType: step.workflowType }
    : { name: step.name, workflowId: workflowInfo().workflowId, workflowType: 'releaseChart (activity)' };
}

async function runStep(scope: RunScope, mode: Mode, step: PlannedStep, tracker: StepTracker): Promise<void> {
  tracker.started();
  try {
    if (step.kind === 'action') {
      await runAction(scope, mode, step);
      tracker.succeeded();
    } else {
      const released = await runRelease(scope);
      const chart = `${released.chart}-${released.chartVersion}`;
      tracker.succeeded(`revision ${released.revision} live: ${chart}, app ${scope.run.context.app.version}`);
    }
  } catch (err) {
    if (isCancellation(err)) tracker.cancelled();
    else tracker.failed(describeFailure(err));
    throw err;
  }
}

/** A driver action: a child workflow started with what the action needs. */
async function runAction({ deploymentId, hook, run }: RunScope, mode: Mode, step: ActionStep): Promise<void> {
  const request: ActionRequest = {
    deploymentId,
    hook,
    mode,
    action: step.name,
    versions: run.versions,
    context: run.context,
    release: run.release,
  };
  const summary = `${hook} ${mode}: ${step.name}`;
  await executeChild(step.workflowType, {
    workflowId: childWorkflowId({ deploymentId, hook, run }, mode, step.name),
    args: [request],
    staticSummary: summary,
    staticDetails: step.description,
    typedSearchAttributes: [
      { key: deploymentIdKey, value: deploymentId },
      { key: driverKey, value: run.context.driver.name },
      { key: hookKey, value: hook },
      ...(patched(kindAndSummaryPatch)
        ? [
            { key: kindKey, value: WorkflowKind.Action },
            { key: summaryKey, value: `${summary} (deployment ${deploymentId})` },
          ]
        : []),
    ],
  });
}

/** The built-in Helm release step, with the driver's release settings. */
async function runRelease({ deploymentId, hook, run }: RunScope): Promise<ReleaseChartResult> {
  // A cancelled run waits for the step to say how it ended: helm may finish the release before it
  // notices, and the run must then record the release as live. Runs started before the step was
  // awaited on cancellation keep the old behaviour on replay.
  const cancellationType = patched(releaseAwaitsCancellationPatch)
    ? ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
    : ActivityCancellationType.TRY_CANCEL;
  const { instance, app } = run.context;
  const chart = app.chart ? `${app.chart.location}${app.chart.version ? ` ${app.chart.version}` : ''}` : 'no chart';
  const summary = `helm upgrade --install ${instance.release} (${chart}, app ${app.version}) in namespace ${instance.namespace}`;
  return summarized(releaseOptions, summary, { cancellationType }).releaseChart({
    deploymentId,
    hook,
    context: run.context,
    ...run.release,
  });
}

/** Patch id: a cancelled run waits for the release step to say whether helm finished the release. */
const releaseAwaitsCancellationPatch = 'release-step-awaits-cancellation';

/**
 * The failure of a run an operator (or the decision timeout) aborted: who, why, the failed steps
 * the decision was about, then what the run left.
 */
export function runAborted(
  { deploymentId, hook }: RunScope,
  mode: Mode,
  decided: Extract<Decided, { decision: 'abort' }>,
  failed: StepFailure[],
  left: string,
  cause?: unknown,
): ApplicationFailure {
  const by = decided.by ? ` by ${decided.by}` : '';
  return ApplicationFailure.create({
    type: FailureType.RunAborted,
    nonRetryable: true,
    message: [
      `${hook} of deployment "${deploymentId}" aborted ${failed.length ? 'in' : 'before'} mode ${mode}${by}: ${decided.reason}`,
      ...failed.map((f) => `- ${f.action}: ${f.error}`),
      `Left: ${left}`,
    ].join('\n'),
    details: [{ deploymentId, hook, mode, reason: decided.reason, by: decided.by, left }],
    cause: applicationFailureOf(cause),
  });
}

/**
 * The one failure a mode ends with: a line per failed step, cause first, then what the run left.
 * The first failed step's own failure is chained as the cause, so Temporal Web shows it as such.
 */
function modeFailed(
  { deploymentId, hook }: RunScope,
  mode: Mode,
  failed: FailedStep[],
  steps: PlannedStep[],
  left: string,
): ApplicationFailure {
  const actions = steps.filter((step) => step.kind === 'action').length;
  const count = actions > 0 ? `${failed.length} of ${actions} actions failed` : 'failed';
  const lines = failed.map((f) => `- ${f.action}: ${f.error}`);
  return ApplicationFailure.create({
    type: FailureType.ModeFailed,
    nonRetryable: true,
    message: [
      `${hook} of deployment "${deploymentId}" stopped in mode ${mode}: ${count}`,
      ...lines,
      `Left: ${left}`,
    ].join('\n'),
    details: [{ deploymentId, hook, mode, failed: failed.map(({ action, error }) => ({ action, error })), left }],
    cause: applicationFailureOf(failed[0]?.failure),
  });
}
