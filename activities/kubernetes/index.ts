/**
 * The Kubernetes primitives as Temporal activities. The worker merges them into its activities;
 * workflows call them through `proxyActivities<KubernetesActivities>()`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { startComponents, stopComponents } from './components.js';
import { executeCommands } from './exec.js';
import type {
  CommandResult,
  ComponentStatus,
  ComponentsInput,
  ExecuteCommandsInput,
  WaitForComponentsInput,
  WorkloadChange,
} from '../../contract/kubernetes.js';
import { kubeClients, type KubeClients } from './workloads.js';
import { getComponentStatus, waitForComponents } from './component-status.js';

export type {
  CommandResult,
  ComponentStatus,
  ComponentsInput,
  ExecuteCommandsInput,
  PodState,
  WaitForComponentsInput,
  WorkloadChange,
  WorkloadState,
} from '../../contract/kubernetes.js';

/** What the Kubernetes activities need: a way to get the KubeConfig (called on each activity run). */
export interface KubernetesDeps {
  kubeConfig: () => KubeConfig;
}

/** The Kubernetes activities, by the names workflows call them. */
export interface KubernetesActivities {
  stopComponents(input: ComponentsInput): Promise<WorkloadChange[]>;
  startComponents(input: ComponentsInput): Promise<WorkloadChange[]>;
  executeCommands(input: ExecuteCommandsInput): Promise<CommandResult[]>;
  waitForComponents(input: WaitForComponentsInput): Promise<ComponentStatus[]>;
  getComponentStatus(input: ComponentsInput): Promise<ComponentStatus[]>;
}

/**
 * Builds the Kubernetes activities around a KubeConfig source.
 * @example Worker.create({ activities: { ...createKubernetesActivities({ kubeConfig: loadKubeConfig }) }, ... })
 */
export function createKubernetesActivities(deps: KubernetesDeps): KubernetesActivities {
  // The KubeConfig is loaded per run, so a missing one fails that activity (KubeConfigMissing), not the worker.
  const clients = (): KubeClients => kubeClients(deps.kubeConfig());
  return {
    stopComponents: (input) => stopComponents(clients(), input),
    startComponents: (input) => startComponents(clients(), input),
    executeCommands: (input) => executeCommands(clients(), input),
    waitForComponents: (input) => waitForComponents(clients(), input),
    getComponentStatus: (input) => getComponentStatus(clients(), input),
  };
}
