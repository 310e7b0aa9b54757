/**
 * The input of the action running in this workflow execution. Each workflow execution has its own
 * module state, so primitives can resolve namespace and components without the action passing them.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ActionRequest } from '../contract/run-context.js';

let running: ActionRequest | undefined;

/** Records the action this execution runs; called once by the action dispatcher. */
export function bindAction(input: ActionRequest): void {
  running = input;
}

/** The running action's request; primitives fail clearly when called outside an action. */
export function currentAction(): ActionRequest {
  if (!running) throw ApplicationFailure.nonRetryable('styrmin primitives can only be called from a driver action');
  return running;
}
