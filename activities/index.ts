/** Every activity the worker registers, built from its dependencies. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import type { LoadedDriver } from '../spec/load.js';
import type { ContextDefaults } from './context.js';
import { checkHttp } from './http.js';
import { createKubernetesActivities } from './kubernetes.js';
import { ensureNamespace } from './namespace.js';
import { createReleaseActivities } from './release.js';
import { createRunActivities } from './run.js';

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
