/** Queries, signals and updates of the lifecycle workflows, defined once; the client imports them. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AbortRequest, ApproveRequest, DecisionResult, RetryRequest, SkipRequest } from './decisions.js';
import type { ActionNow, RunProgress } from './progress.js';

/** Each mode and action of a run with its state, attempts, times and last error. */
export const progressQuery = defineQuery<RunProgress>('progress');

/** Sent by a lifecycle run to the deployment lock it holds when it is done with it. */
export const releaseLockSignal = defineSignal('releaseLock');

/** Sent by an action to its run: what it is waiting on now, for the run's progress and Current Details. */
export const actionNowSignal = defineSignal<[ActionNow]>('actionNow');

/** Lets a run waiting with `approveBefore` start the mode it waits before. */
export const approveUpdate = defineUpdate<DecisionResult, [ApproveRequest]>('approve');

/** Starts failed actions of the mode a waiting run stopped in again. */
export const retryUpdate = defineUpdate<DecisionResult, [RetryRequest]>('retry');

/** Counts failed actions of the mode a waiting run stopped in as skipped, and goes on. */
export const skipUpdate = defineUpdate<DecisionResult, [SkipRequest]>('skip');

/** Puts back what a waiting run stopped, then fails it. */
export const abortUpdate = defineUpdate<DecisionResult, [AbortRequest]>('abort');
