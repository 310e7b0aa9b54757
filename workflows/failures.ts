/** Turning Temporal failure chains into one line an operator can act on. */
import { ActivityFailure, ApplicationFailure, TemporalFailure, isCancellation } from '@temporalio/workflow';

/**
 * The failure that says why, with its type: `[CommandFailed] exit code 1 ...`; or `cancelled`. It is
 * the first ApplicationFailure down the chain, past the "activity task failed" and "child workflow
 * failed" wrappers; an ApplicationFailure's own cause (a ModeFailed's first failed action) is detail.
 */
export function describeFailure(err: unknown): string {
  if (isCancellation(err)) return 'cancelled';
  let deepest: unknown = err;
  while (deepest instanceof TemporalFailure && !(deepest instanceof ApplicationFailure) && deepest.cause)
    deepest = deepest.cause;
  const message = deepest instanceof Error ? deepest.message : String(deepest);
  const type = deepest instanceof ApplicationFailure ? deepest.type : undefined;
  return type ? `[${type}] ${message}` : message;
}

/** The first ApplicationFailure down a failure chain (the one that says why), if any. */
export function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  let failure: unknown = err;
  while (failure instanceof TemporalFailure && !(failure instanceof ApplicationFailure)) failure = failure.cause;
  return failure instanceof ApplicationFailure ? failure : undefined;
}

/**
 * The failure a run ends with: an activity's own ApplicationFailure (bad input, record conflict)
 * rather than the "activity task failed" wrapper around it, so the run's message is the cause.
 */
export function runFailure(err: unknown): unknown {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
}
