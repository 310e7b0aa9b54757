/** Lifecycle actions of second-app, an API with a background worker. */
import { getComponentStatus, stopComponents, waitForComponents, type ActionInput } from 'styrmin/actions';

/** setup/post: the API and its worker are up. */
export async function smokeTest({ deploymentId }: ActionInput) {
  await waitForComponents(deploymentId, ['api', 'worker'], { state: 'ready', timeoutSeconds: 300 });
  return getComponentStatus(deploymentId, ['api', 'worker']);
}

/** upgrade/pre: stop the worker so no job runs during the upgrade; the release brings it back. */
export async function upgrade({ deploymentId }: ActionInput) {
  return stopComponents(deploymentId, ['worker']);
}
