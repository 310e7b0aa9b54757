/**
 * Styrmin's own series, beside the SDK's: recorded through the worker's metric meter (exported on
 * /metrics with STYRMIN_HTTP_PORT) and dropped while a workflow replays, so each is counted once.
 */
import { metricMeter } from '@temporalio/workflow';
import { actionDurationMetric, runsMetric } from '../contract/metrics.js';
import type { RunStatus } from '../contract/progress.js';

// Made where they are recorded: the meter belongs to the workflow that is running.

/** Counts a run that ended: `outcome` is its final status (succeeded, failed, cancelled). */
export function countRun(hook: string, driver: string, outcome: RunStatus): void {
  metricMeter
    .createCounter(runsMetric, 'runs', 'Runs that ended, by hook, driver and outcome')
    .withTags({ hook, driver, outcome })
    .add(1);
}

/** Records an action's duration in workflow time, with its driver (`name@version`), name and outcome. */
export function recordActionDuration(driver: string, action: string, outcome: string, milliseconds: number): void {
  metricMeter
    .createHistogram(actionDurationMetric, 'float', 's', 'How long driver actions took, by driver, action and outcome')
    .withTags({ driver, action, outcome })
    .record(milliseconds / 1000);
}
