/**
 * The one waiting loop of the primitives: poll a state check, heartbeat the progress, honour
 * cancellation, ride out transient API errors, and time out with what was still pending.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';

/** What one look at the cluster found. */
export interface WaitProgress {
  done: boolean;
  /** Human summary of what is still pending, e.g. `task-worker: 2 of 3 pods left (...)`. */
  message: string;
  /** Structured form of the same, carried in heartbeats and in the timeout failure. */
  details?: unknown;
}

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** What is awaited, for messages: `components to stop`. */
  what: string;
  timeoutSeconds: number;
  /** @default 300 */
  intervalMs?: number;
  check: () => Promise<WaitProgress>;
}

/** True for failures that a later poll may not see again (the API was briefly unavailable). */
function isTransientFailure(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.type === FailureType.KubernetesUnavailable && !err.nonRetryable;
}

const pastDeadline = Symbol('pastDeadline');

/** Runs `promise` unless the activity is cancelled (rejects with CancelledFailure) or the deadline passes first. */
async function raceCancelAndDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | typeof pastDeadline> {
  promise.catch(() => undefined); // an abandoned request may still fail later; nobody awaits it then
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof pastDeadline>((resolve) => {
    timer = setTimeout(() => resolve(pastDeadline), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, expiry, Context.current().cancelled]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it reports done; heartbeats each round; fails non-retryably with WaitTimedOut at the deadline. */
export async function waitUntil(opts: WaitOptions): Promise<void> {
  const ctx = Context.current();
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  let last: WaitProgress | undefined;
  let lastError: string | undefined;
  for (;;) {
    try {
      const seen = await raceCancelAndDeadline(opts.check(), deadline);
      if (seen !== pastDeadline) {
        if (seen.done) return;
        if (seen.message !== last?.message) log.info(`Waiting for ${opts.what}: ${seen.message}`);
        last = seen;
        lastError = undefined;
      }
    } catch (err) {
      if (!isTransientFailure(err)) throw err;
      lastError = (err as Error).message;
      log.warn(`Waiting for ${opts.what}: ${lastError}`);
    }
    ctx.heartbeat({ waitingFor: opts.what, message: last?.message ?? 'checking', details: last?.details, lastError });
    const left = deadline - Date.now();
    if (left <= 0) throw timedOut(opts, last, lastError);
    await ctx.sleep(Math.min(opts.intervalMs ?? 300, left));
  }
}

function timedOut(
  opts: WaitOptions,
  last: WaitProgress | undefined,
  lastError: string | undefined,
): ApplicationFailure {
  const pending = last?.message ?? 'no answer from the Kubernetes API';
  const apiNote = lastError ? ` (last API error: ${lastError})` : '';
  return ApplicationFailure.create({
    type: FailureType.WaitTimedOut,
    nonRetryable: true,
    message: `Timed out after ${opts.timeoutSeconds}s waiting for ${opts.what}; still pending: ${pending}${apiNote}`,
    details: [
      {
        what: opts.what,
        timeoutSeconds: opts.timeoutSeconds,
        pending: last?.details ?? null,
        lastError: lastError ?? null,
      },
    ],
  });
}

/**
 * Runs one idempotent step again after a transient API failure (409, 429, 5xx, dropped
 * connection), a few times with a short backoff; then the failure goes to Temporal's retry policy.
 */
export async function retryTransient<T>(what: string, step: () => Promise<T>, attempts = 4): Promise<T> {
  const ctx = Context.current();
  for (let attempt = 1; ; attempt++) {
    try {
      const running = step();
      running.catch(() => undefined); // if cancelled first, its late failure has no reader
      // A request that hangs must not hold up a cancellation.
      return await Promise.race([running, ctx.cancelled]);
    } catch (err) {
      if (!isTransientFailure(err) || attempt >= attempts) throw err;
      log.warn(`${what}: ${(err as Error).message}; trying again (${attempt} of ${attempts - 1})`);
      // Honour the API's Retry-After within reason; otherwise back off 200, 400, 800 ms.
      const asked = ((err as ApplicationFailure).details?.[0] as { retryAfterSeconds?: number } | undefined)
        ?.retryAfterSeconds;
      await ctx.sleep(Math.max(100 * 2 ** attempt, Math.min((asked ?? 0) * 1000, 5_000)));
    }
  }
}
