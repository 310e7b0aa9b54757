/** Turning Temporal failure chains into one line an operator can act on. */
import { ActivityFailure, ApplicationFailure, TemporalFailure, isCancellation } from '@temporalio/workflow';

/** The deepest cause of a failure chain, with its type: `[CommandFailed] migrate exited 1`; or `cancelled`. */
export function describeFailure(err: unknown): string {
  if (isCancellation(err)) return 'cancelled';
  let deepest: unknown = err;
  while (deepest instanceof TemporalFailure && deepest.cause) deepest = deepest.cause;
  const message = deepest instanceof Error ? deepest.message : String(deepest);
  const type = deepest instanceof ApplicationFailure ? deepest.type : undefined;
  return type ? `[${type}] ${message}` : message;
}

/**
 * The failure a run ends with: an activity's own ApplicationFailure (bad input, record conflict)
 * rather than the "activity task failed" wrapper around it, so the run's message is the cause.
 */
export function runFailure(err: unknown): unknown {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
}
