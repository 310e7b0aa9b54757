/**
 * Driver actions run as workflows. The worker bundles every driver's `actions.ts` and registers
 * their functions under namespaced types (`<driver>@<version>/<action>`) through one dispatcher:
 * Temporal calls the bundle's default export for any type that is not a named export.
 */
import { ApplicationFailure, isCancellation, TemporalFailure, WorkflowError, workflowInfo } from '@temporalio/workflow';
import { FailureType } from '../contract/failures.js';
import { bindAction } from './current-action.js';
import { recordActionDuration } from './metrics.js';
import type { ActionInput, ActionRequest } from '../contract/run-context.js';

/** A driver action as its author writes it. */
export type ActionFunction = (input: ActionInput) => Promise<unknown>;

/** Builds the workflow that runs the action registered under the execution's workflow type. */
export function actionDispatcher(registry: Record<string, ActionFunction>) {
  return async function runAction(request: ActionRequest): Promise<unknown> {
    const { workflowType } = workflowInfo();
    const action = registry[workflowType];
    if (!action) {
      // Without this an unknown type fails workflow tasks forever; fail the run at once instead.
      throw ApplicationFailure.create({
        type: FailureType.UnknownAction,
        nonRetryable: true,
        message:
          `this worker has no action "${workflowType}"; it knows: ${Object.keys(registry).sort().join(', ') || 'none'}. ` +
          'Check the driver and driver version the run asked for, and the worker drivers folder.',
      });
    }
    bindAction(request);
    const startedAt = Date.now();
    const [driver = workflowType, name = workflowType] = workflowType.split('/');
    let outcome = 'failed';
    try {
      const result = await action(actionInput(request));
      outcome = 'succeeded';
      return result;
    } catch (err) {
      if (isCancellation(err)) outcome = 'cancelled';
      throw actionFailure(err);
    } finally {
      recordActionDuration(driver, name, outcome, Date.now() - startedAt);
    }
  };
}

/** What the action function sees: the request with the context's parameters at hand. */
function actionInput({ deploymentId, hook, mode, action, versions, context }: ActionRequest): ActionInput {
  return { deploymentId, hook, mode, action, versions, parameters: context.parameters, context };
}

/**
 * An error an action throws fails the action. Temporal would otherwise treat a plain `Error`
 * from workflow code as a bug to hot-fix and retry the workflow task forever: the run would hang.
 */
function actionFailure(err: unknown): unknown {
  if (err instanceof TemporalFailure || err instanceof WorkflowError || !(err instanceof Error)) return err;
  const failure = ApplicationFailure.create({
    type: FailureType.ActionFailed,
    nonRetryable: true,
    message: err.message,
    details: [{ error: err.name }],
  });
  // The driver's own stack (source-mapped to its actions.ts), not this function's.
  if (err.stack) failure.stack = err.stack;
  return failure;
}
