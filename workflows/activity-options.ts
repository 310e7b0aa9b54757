/**
 * Activity option profiles, and {@link summarized}, through which every activity call goes with a
 * summary. Retries back off exponentially; failure types that retrying cannot fix are listed
 * once, in contract/failures.ts.
 */
import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { Activities } from '../contract/activities.js';
import { nonRetryableFailureTypes } from '../contract/failures.js';

/** Exponential backoff from 1 s to 1 min, at most 10 attempts. */
const defaultRetry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  maximumAttempts: 10,
  nonRetryableErrorTypes: nonRetryableFailureTypes,
};

/** Short reads and bookkeeping. */
export const quickOptions: ActivityOptions = { startToCloseTimeout: '30s', retry: defaultRetry };

/**
 * Work that waits on the cluster. It heartbeats at least every few seconds, so a worker that dies
 * is noticed within 10 s and another attempt starts on a live worker within 15 s.
 */
export const waitingOptions: ActivityOptions = {
  startToCloseTimeout: '30m',
  heartbeatTimeout: '10s',
  retry: defaultRetry,
};

/** The Helm release step: long, heartbeating every 5 s like the waits, retried a few times only. */
export const releaseOptions: ActivityOptions = {
  startToCloseTimeout: '1h',
  heartbeatTimeout: '10s',
  retry: { ...defaultRetry, maximumAttempts: 3 },
};

/**
 * Activities called with `profile` and a summary, the line Temporal Web shows for the call in
 * the run's event history instead of the bare activity type.
 */
export function summarized(profile: ActivityOptions, summary: string, overrides?: Partial<ActivityOptions>) {
  return proxyActivities<Activities>({ ...profile, summary: summary.slice(0, 200), ...overrides });
}

/** Patch id: a run's own bookkeeping runs as local activities, inside the workflow task that needs it. */
const localBookkeepingPatch = 'run-bookkeeping-in-local-activities';

/** Local activities: like {@link quickOptions}, retried on the worker without a round trip to the server. */
const localQuickOptions: LocalActivityOptions = { startToCloseTimeout: '30s', retry: defaultRetry };

/**
 * The run's short bookkeeping (its record, its plan, its namespace, its Secret, what is stopped
 * before it): local activities, which run within the workflow task that calls them. Each
 * activity task would cost a round trip through the server, about 50 ms on a dev server, and a
 * run makes five or six of them one after the other before its first action. They take
 * milliseconds, need no heartbeat, and are idempotent, so a retry after a lost workflow task
 * does no harm. Runs started before this call them as activity tasks and keep doing so.
 */
export function bookkeeping(summary: string, overrides?: Partial<LocalActivityOptions>) {
  if (!patched(localBookkeepingPatch)) return summarized(quickOptions, summary, overrides);
  return proxyLocalActivities<Activities>({ ...localQuickOptions, summary: summary.slice(0, 200), ...overrides });
}
