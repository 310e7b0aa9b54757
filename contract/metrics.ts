/** Styrmin's own metric series, as the workflows record them and the worker exports them. */

/** Runs that ended, by hook, driver and outcome. */
export const runsMetric = 'styrmin_runs';

/** How long driver actions took, in seconds (a histogram). */
export const actionDurationMetric = 'styrmin_action_duration_seconds';

/**
 * Buckets of {@link actionDurationMetric}, in seconds: the exporter's default ones end at 10 s,
 * and actions that wait for a Helm release or a migration take minutes.
 */
export const actionDurationBuckets = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/** Attempts of each primitive (activity), and the failed ones by failure type. */
export const primitiveAttemptsMetric = 'styrmin_primitive_attempts';
export const primitiveFailuresMetric = 'styrmin_primitive_failures';
