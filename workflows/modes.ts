/**
 * One mode of a hook: every action of the mode starts at once as a child workflow, the mode waits
 * for all of them (a failure does not cancel its siblings), then reports every failure in one error.
 */
import { ApplicationFailure, executeChild } from '@temporalio/workflow';
import { FailureType } from '../contract/failures.js';
import { describeFailure } from './failures.js';
import { markAction } from './progress.js';
import { deploymentIdKey, driverKey, hookKey } from '../contract/search-attributes.js';
import { ActionState, type ActionInput, type Mode, type ModePlan, type ModeProgress, type PlannedAction } from '../contract/lifecycle.js';

/** What every action of a run shares; each action adds its own mode and name. */
export type SharedActionInput = Omit<ActionInput, 'mode' | 'action'>;

/** Child workflow id of an action: reads like the plan in Temporal Web. */
function actionWorkflowId(deploymentId: string, hook: string, mode: string, action: string): string {
  return `${deploymentId}/${hook}/${mode}/${action}`;
}

/** Runs a mode's actions side by side and fails with the list of failed actions, if any. */
export async function runMode(shared: SharedActionInput, plan: ModePlan, progress: ModeProgress): Promise<void> {
  const outcomes = await Promise.allSettled(plan.actions.map((action) => runAction(shared, plan, action, progress)));
  const failed = outcomes.flatMap((outcome, i) =>
    outcome.status === 'rejected' ? [{ action: plan.actions[i]!.name, error: describeFailure(outcome.reason) }] : [],
  );
  if (failed.length === 0) return;
  const summary = `${failed.length} of ${plan.actions.length} actions failed: ` + failed.map((f) => `${f.action}: ${f.error}`).join('; ');
  throw modeFailed(shared, plan.mode, failed, summary);
}

/** The one failure a mode ends with, listing each failed action and its cause. */
export function modeFailed(
  shared: SharedActionInput,
  mode: Mode,
  failed: Array<{ action: string; error: string }>,
  summary: string,
): ApplicationFailure {
  const { deploymentId, hook } = shared;
  return ApplicationFailure.create({
    type: FailureType.ModeFailed,
    nonRetryable: true,
    message: `${hook} of deployment "${deploymentId}" stopped in mode ${mode}: ${summary}`,
    details: [{ deploymentId, hook, mode, failed }],
  });
}

async function runAction(shared: SharedActionInput, plan: ModePlan, action: PlannedAction, progress: ModeProgress) {
  const { deploymentId, hook, context } = shared;
  const workflowId = actionWorkflowId(deploymentId, hook, plan.mode, action.name);
  const entry = { name: action.name, workflowId, workflowType: action.workflowType, state: ActionState.Pending, attempts: 0 };
  progress.actions.push(entry);
  markAction(entry, ActionState.Running);
  try {
    await executeChild(action.workflowType, {
      workflowId,
      args: [{ ...shared, mode: plan.mode, action: action.name } satisfies ActionInput],
      staticSummary: `${hook} ${plan.mode}: ${action.name}`,
      staticDetails: action.description,
      typedSearchAttributes: [
        { key: deploymentIdKey, value: deploymentId },
        { key: driverKey, value: context.driver.name },
        { key: hookKey, value: hook },
      ],
    });
    markAction(entry, ActionState.Succeeded);
  } catch (err) {
    markAction(entry, ActionState.Failed, describeFailure(err));
    throw err;
  }
}
