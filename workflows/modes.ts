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
  log,
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
import type { StoppedWorkload } from '../contract/kubernetes.js';
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
import { quickOptions, releaseOptions, summarized } from './activity-options.js';
import { applicationFailureOf, describeFailure } from './failures.js';
import { kindAndSummaryPatch } from './patches.js';
import { stateLeft, type RunTracker, type StepTracker } from './run-tracker.js';

/** What every step of a run shares. */
export interface RunScope {
  deploymentId: string;
  hook: Hook;
  run: PreparedRun;
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

/** Runs a mode's steps side by side; fails with every failed step listed, or skips a mode without steps. */
export async function runMode(scope: RunScope, plan: ModePlan, tracker: RunTracker): Promise<void> {
  const mode = tracker.mode(plan.mode);
  const steps = stepsOf(plan);
  if (steps.length === 0) {
    mode.ended(ModeState.Skipped);
    return;
  }
  mode.running();
  const outcomes = await Promise.allSettled(
    steps.map((step) => runStep(scope, plan.mode, step, mode.step(stepIdentity(scope, plan.mode, step)))),
  );
  const failed = outcomes.flatMap((outcome, i): FailedStep[] =>
    outcome.status === 'rejected'
      ? [{ action: steps[i]!.name, error: describeFailure(outcome.reason), failure: outcome.reason }]
      : [],
  );
  if (failed.length === 0) {
    mode.ended(ModeState.Succeeded);
    return;
  }
  // A run being cancelled stops as cancelled, not as a mode whose actions failed.
  const cancellation = outcomes.find((outcome) => outcome.status === 'rejected' && isCancellation(outcome.reason));
  if (cancellation && CancellationScope.current().consideredCancelled) {
    mode.ended(ModeState.Cancelled);
    tracker.skipPendingModes();
    throw (cancellation as PromiseRejectedResult).reason;
  }
  mode.ended(ModeState.Failed);
  tracker.skipPendingModes();
  await noteStillStopped(scope, tracker);
  throw modeFailed(scope, plan.mode, failed, steps, stateLeft(tracker.progress));
}

/** Patch id: a run that did not succeed names the components left stopped in its account. */
const stillStoppedPatch = 'left-account-names-stopped-components';

/**
 * Notes in the run's progress which of the driver's components a stop left stopped, as the
 * cluster shows them now, so the account of a failed or cancelled run says so. Runs on while the
 * run is being cancelled; a cluster that cannot answer leaves the account without it.
 */
export async function noteStillStopped({ deploymentId, run }: RunScope, tracker: RunTracker): Promise<void> {
  const components = Object.values(run.context.components);
  if (components.length === 0 || !patched(stillStoppedPatch)) return;
  const namespace = run.context.deployment.namespace;
  const ask = summarized(quickOptions, `find the components of ${deploymentId} left stopped`, {
    retry: { maximumAttempts: 3 },
  });
  try {
    const stopped = await CancellationScope.nonCancellable(() =>
      ask.stoppedWorkloads({ deploymentId, namespace, components }),
    );
    tracker.stillStopped(stopped.map(describeStopped));
  } catch (err) {
    log.warn('could not read which components are left stopped', { deploymentId, error: describeFailure(err) });
  }
}

function describeStopped(w: StoppedWorkload): string {
  const what = w.replicas === null ? 'suspended' : `${w.replicas} replica${w.replicas === 1 ? '' : 's'}`;
  return `${w.component} (${w.kind} ${w.name}, ${what})`;
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
