/** Queries and signals of the lifecycle workflows, defined once; the client imports them. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ActionNow, RunProgress } from './progress.js';

/** Each mode and action of a run with its state, attempts, times and last error. */
export const progressQuery = defineQuery<RunProgress>('progress');

/** Sent by a lifecycle run to the deployment lock it holds when it is done with it. */
export const releaseLockSignal = defineSignal('releaseLock');

/** Sent by an action to its run: what it is waiting on now, for the run's progress and Current Details. */
export const actionNowSignal = defineSignal<[ActionNow]>('actionNow');
