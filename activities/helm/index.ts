/** The Helm release step as an activity, bound to the worker's cluster connection and drivers. */
import type { HelmActivities } from '../../contract/activities.js';
import { releaseChart, type ReleaseDeps } from './release.js';

/** Builds `releaseChart`. */
export function createHelmActivities(deps: ReleaseDeps): HelmActivities {
  return { releaseChart: (input) => releaseChart(deps, input) };
}
