/**
 * Activity option profiles, and {@link summarized}, through which every activity call goes with a
 * summary. Retries back off exponentially; failure types that retrying cannot fix are listed
 * once, in contract/failures.ts.
 */
import { proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
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
