/**
 * The one waiting loop of the primitives: poll a state check, heartbeat the progress, honour
 * cancellation, ride out transient API errors, and time out with what was still pending. A wait
 * given a {@link ChangeWatch} looks again as soon as it reports a change, and polls only as a
 * safety net while it watches.
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

/** Tells a wait when what its check reads may have changed (watch-wake.ts watches Kubernetes collections). */
export interface ChangeWatch {
  /** Starts watching; `wake` is called on every change. */
  start(wake: () => void): StartedWatch;
}

/** A running {@link ChangeWatch}. */
export interface StartedWatch {
  /** True while it watches everything it should: the wait then polls only every `watchedIntervalMs`. */
  readonly healthy: boolean;
  /** Why watching failed last, while it does, for the wait's log. */
  readonly problem: string | undefined;
  /** Ends every watch and timer of it. */
  stop(): void;
}

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** What is awaited, for messages: `components to stop`. */
  what: string;
  timeoutSeconds: number;
  /** Poll interval without a healthy watch (no `changes`, or its watch failed or is starting again). @default 300 */
  intervalMs?: number;
  /** Wakes the wait when what `check` reads may have changed; started with the first check. */
  changes?: ChangeWatch;
  /** Poll interval while `changes` is healthy: a safety net, since `check` alone decides. @default 2000 */
  watchedIntervalMs?: number;
  check: () => Promise<WaitProgress>;
}

/**
 * Woken looks are at least this far apart (from the start of one check to the next): a rollout
 * changes pods many times a second, and each look lists every component's workloads and pods.
 */
const shortestCheckGapMs = 100;

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

/**
 * The wake-ups of one wait. A wake cuts the current sleep short, or the next one if it comes while
 * a check runs; that check absorbs the wakes before it, so a burst of events makes one more look.
 */
class Wakeups {
  private woken = false;
  private ring: (() => void) | undefined;

  readonly wake = (): void => {
    this.woken = true;
    this.ring?.();
  };

  /** Forgets the wakes so far: the check about to start reads what they announced. */
  clear(): void {
    this.woken = false;
  }

  /**
   * Sleeps `ms`, or once woken (already before this call, or during it) until `notBefore` at the
   * earliest; rejects with CancelledFailure when the activity is cancelled. Leaves no timer behind.
   */
  async sleep(ms: number, notBefore: number, cancelled: Promise<never>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let alarmAt = Date.now() + ms;
    const slept = new Promise<void>((resolve) => {
      const setAlarm = (at: number): void => {
        alarmAt = at;
        clearTimeout(timer);
        timer = setTimeout(resolve, Math.max(0, at - Date.now()));
      };
      this.ring = () => setAlarm(Math.min(alarmAt, Math.max(notBefore, Date.now())));
      if (this.woken) this.ring();
      else setAlarm(alarmAt);
    });
    try {
      await Promise.race([slept, cancelled]);
    } finally {
      clearTimeout(timer);
      this.ring = undefined;
    }
  }
}

/**
 * Checks `check` until it reports done: again after each poll interval, or at once when `changes`
 * reports a change. Heartbeats each round; fails non-retryably with WaitTimedOut at the deadline.
 * Whatever way it ends, it stops `changes` first.
 */
export async function waitUntil(opts: WaitOptions): Promise<void> {
  const ctx = Context.current();
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  const wakeups = new Wakeups();
  // Watching from the start: a change while the first check reads already wakes the next one.
  const watching = opts.changes?.start(wakeups.wake);
  let last: WaitProgress | undefined;
  let lastError: string | undefined;
  let lastWatchProblem: string | undefined;
  try {
    for (;;) {
      wakeups.clear();
      const checkedAt = Date.now();
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
      const intervalMs = watching?.healthy ? (opts.watchedIntervalMs ?? 2_000) : (opts.intervalMs ?? 300);
      const watchProblem = watching?.problem;
      if (watchProblem && watchProblem !== lastWatchProblem)
        log.warn(`Waiting for ${opts.what}: ${watchProblem}; polling every ${intervalMs} ms meanwhile`);
      lastWatchProblem = watchProblem;
      await wakeups.sleep(Math.min(intervalMs, left), checkedAt + shortestCheckGapMs, ctx.cancelled);
    }
  } finally {
    watching?.stop();
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
