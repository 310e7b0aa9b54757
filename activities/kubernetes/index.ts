/**
 * The Kubernetes primitives as Temporal activities, built around the worker's cluster connection.
 * @example Worker.create({ activities: createKubernetesActivities({ kubeConfig: () => loadKubeConfig() }), ... })
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesActivities } from '../../contract/activities.js';
import { getComponentStatus, waitForComponents } from './component-status.js';
import { startComponents, stopComponents, stoppedWorkloads } from './components.js';
import { executeCommands } from './exec.js';
import { ensureNamespace } from './namespace.js';
import { kubeClients, type KubeClients } from './workloads.js';

/** What the Kubernetes activities need: a way to get the KubeConfig (called on each activity run). */
export interface KubernetesDeps {
  kubeConfig: () => KubeConfig;
}

/** Builds the Kubernetes activities. */
export function createKubernetesActivities(deps: KubernetesDeps): KubernetesActivities {
  // The KubeConfig is loaded per run, so a missing one fails that activity (KubeConfigMissing), not the worker.
  const clients = (): KubeClients => kubeClients(deps.kubeConfig());
  return {
    stopComponents: (input) => stopComponents(clients(), input),
    startComponents: (input) => startComponents(clients(), input),
    executeCommands: (input) => executeCommands(clients(), input),
    waitForComponents: (input) => waitForComponents(clients(), input),
    getComponentStatus: (input) => getComponentStatus(clients(), input),
    stoppedWorkloads: (input) => stoppedWorkloads(clients(), input),
    ensureNamespace: (input) => ensureNamespace(deps.kubeConfig(), input),
  };
}
