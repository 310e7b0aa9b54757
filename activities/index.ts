/** Every activity the worker registers, built from its dependencies. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import type { LoadedDriver } from '../driver-spec/load.js';
import type { ContextDefaults } from './run/context.js';
import { checkHttp } from './checks/index.js';
import { createKubernetesActivities } from './kubernetes/index.js';
import { ensureNamespace } from './kubernetes/namespace.js';
import { createReleaseActivities } from './helm/index.js';
import { createRunActivities } from './run/index.js';

/** What the activities need from the worker. */
export interface ActivityDeps {
  drivers: LoadedDriver[];
  client: Client;
  /** The cluster connection, loaded when a primitive first needs it. */
  kubeConfig: () => KubeConfig;
  defaults?: ContextDefaults;
}

/** The worker's activities; workflows import only this type. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRunActivities(deps),
    ...createKubernetesActivities(deps),
    ...createReleaseActivities(deps),
    ensureNamespace: (input: { namespace: string }) => ensureNamespace(deps.kubeConfig(), input),
    checkHttp,
  };
}

/** Every activity by name, as workflows see them through `proxyActivities`. */
export type Activities = ReturnType<typeof createActivities>;
