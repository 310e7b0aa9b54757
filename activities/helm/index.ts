/** The Helm release step as an activity, bound to the worker's cluster connection and drivers. */
import type { HelmActivities } from '../../contract/activities.js';
import { releaseChart, type ReleaseDeps } from './release.js';
import { HelmSlots } from './slots.js';

/** Release steps one worker runs at once unless configured otherwise (STYRMIN_HELM_CONCURRENCY). */
export const defaultHelmConcurrency = 4;

export interface HelmActivityDeps extends Omit<ReleaseDeps, 'slots'> {
  /** Release steps this worker runs at once; the others wait. @default 4 */
  helmConcurrency?: number;
}

/** Builds `releaseChart`, with the worker's Helm slots. */
export function createHelmActivities(deps: HelmActivityDeps): HelmActivities {
  const releaseDeps = { ...deps, slots: new HelmSlots(deps.helmConcurrency ?? defaultHelmConcurrency) };
  return { releaseChart: (input) => releaseChart(releaseDeps, input) };
}
