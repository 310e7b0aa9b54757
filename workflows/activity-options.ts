/**
 * Activity option profiles, one `proxyActivities` per profile. Retries back off exponentially;
 * failure types that retrying cannot fix are listed once, in errors.ts.
 */
import {
  ActivityCancellationType,
  proxyActivities,
  type ActivityOptions,
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

/** Activities called with {@link quickOptions}. */
export const quick = proxyActivities<Activities>(quickOptions);
/** Activities called with {@link releaseOptions}. */
export const release = proxyActivities<Activities>(releaseOptions);
/**
 * The release step, waiting on cancellation for the step to say how it ended: helm may finish
 * the release before it notices, and the run must then record the release as live.
 */
export const releaseAwaitingCancellation = proxyActivities<Activities>({
  ...releaseOptions,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});
