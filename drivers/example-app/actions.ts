/**
 * Lifecycle actions of example-app, a web application with a `server` and a `task-worker`.
 * Each function is a Temporal workflow; the primitives it calls are retried activities, idempotent
 * except the migration's exec, which runs under a once-only key (see migrateAndRestart).
 */
import {
  getComponentStatus,
  log,
  startComponents,
  stopComponents,
  executeCommands,
  waitFor,
  waitForComponents,
} from 'styrmin/actions';
// The spec's parameters as types (`npx styrmin driver types drivers/example-app` regenerates it).
import type { Input } from './parameters.generated.js';

/** setup/pre: the parameters make sense for this cluster before anything is installed. */
export async function checkPrerequisites({ deploymentId, parameters, versions }: Input) {
  if (parameters.replicas > 10)
    throw new Error(`replicas=${parameters.replicas}: example-app supports at most 10 server replicas`);
  log.info('installing example-app', { deploymentId, version: versions.target, replicas: parameters.replicas });
}

/** setup/post: every component is up with all its replicas. */
export async function smokeTest({ deploymentId }: Input) {
  await waitForComponents(deploymentId, ['server', 'task-worker'], { state: 'ready', timeoutSeconds: 300 });
  return getComponentStatus(deploymentId, ['server', 'task-worker']);
}

/** upgrade/pre: no task may run against the old schema while the release changes. */
export async function stopWorkers({ deploymentId }: Input) {
  return stopComponents(deploymentId, ['task-worker']);
}

/** upgrade/pre: give clients a moment to finish in-flight requests before the release moves. */
export async function announceMaintenance({ deploymentId, versions }: Input) {
  log.info('maintenance window opens', { deploymentId, from: versions.current, to: versions.target });
  await waitFor('2s', 'drain in-flight requests');
}

/**
 * upgrade/post: migrate the database from a server pod, then bring the workers back. The
 * once-only key makes a retry or a resumed run return the recorded migration instead of migrating again.
 */
export async function migrateAndRestart({ deploymentId, versions }: Input) {
  const migration = await executeCommands(deploymentId, {
    component: 'server',
    commands: [['example-app', 'migrate', '--to', versions.target]],
    timeoutSeconds: 600,
    once: `migrate-to-${versions.target}`,
  });
  await startComponents(deploymentId, ['task-worker']);
  return migration;
}

/** upgrade/post: the new version serves with every replica ready. */
export async function smokeTestUpgrade({ deploymentId }: Input) {
  await waitForComponents(deploymentId, ['server'], { state: 'ready', timeoutSeconds: 300 });
  return getComponentStatus(deploymentId, ['server']);
}
