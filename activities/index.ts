/** Every activity the worker registers, built once from the worker's dependencies. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import type { Activities } from '../contract/activities.js';
import type { LoadedDriver } from '../driver-spec/load.js';
import { createCheckActivities } from './checks/index.js';
import { createHelmActivities } from './helm/index.js';
import { createKubernetesActivities } from './kubernetes/index.js';
import { createRecordActivities } from './record/index.js';
import { createRunActivities } from './run/index.js';
import { createSecretActivities } from './secrets/index.js';
import type { ContextDefaults } from './run/context.js';

/** What the activities need from the worker. */
export interface ActivityDeps {
  drivers: LoadedDriver[];
  client: Client;
  /** The cluster connection, loaded when a primitive first needs it. */
  kubeConfig: () => KubeConfig;
  defaults?: ContextDefaults;
  /** Age after which a pending Helm revision counts as abandoned by a dead helm. @default the step's timeout + 60 s */
  pendingStaleAfterSeconds?: number;
  /** Helm release steps this worker runs at once; the others wait. @default 4 */
  helmConcurrency?: number;
}

/** The worker's activities, by the names the contract gives them. */
export function createActivities(deps: ActivityDeps): Activities {
  return {
    ...createRunActivities(deps),
    ...createKubernetesActivities(deps),
    ...createHelmActivities(deps),
    ...createRecordActivities(deps),
    ...createSecretActivities(deps),
    ...createCheckActivities(),
  };
}
