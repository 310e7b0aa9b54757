/**
 * Finding a component's workloads and pods by its label selector.
 */
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1CronJob,
  type V1Deployment,
  type V1Pod,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import type { ComponentRef } from '../../contract/run-context.js';
import { kubeCall } from './api-errors.js';
import { WorkloadKind } from '../../contract/kubernetes.js';

/** Annotation holding the replica count a stop scaled a workload down from. */
export const replicasBeforeStopAnnotation = 'styrmin.io/replicas-before-stop';
/** Annotation marking a CronJob that a stop suspended (and a start may resume). */
export const suspendedByStopAnnotation = 'styrmin.io/suspended-by-stop';
/** Annotation holding when a stop stopped the workload, so a run puts back the latest stop first. */
export const stoppedAtAnnotation = 'styrmin.io/stopped-at';

/** The typed API clients the primitives use, all from one KubeConfig. */
export interface KubeClients {
  kc: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  batch: BatchV1Api;
}

/** Builds the API clients for one KubeConfig. */
export function kubeClients(kc: KubeConfig): KubeClients {
  return {
    kc,
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    batch: kc.makeApiClient(BatchV1Api),
  };
}

/** A workload of a component, tagged with its kind. */
export type Workload =
  | { kind: typeof WorkloadKind.Deployment; name: string; object: V1Deployment }
  | { kind: typeof WorkloadKind.StatefulSet; name: string; object: V1StatefulSet }
  | { kind: typeof WorkloadKind.CronJob; name: string; object: V1CronJob };

/** The selector in the `k=v,k2=v2` form the API takes. */
export function selectorString(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Rejects a component whose selector is empty: it would select every workload of the namespace. */
function checkSelector(component: ComponentRef): string {
  const selector = selectorString(component.selector ?? {});
  if (!selector) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      nonRetryable: true,
      message: `Component "${component.name}" has an empty label selector; it would select every workload of the namespace`,
      details: [{ component: component.name }],
    });
  }
  return selector;
}

/** Deployments, StatefulSets and CronJobs matching the component's selector, in a stable order. */
export async function findWorkloads(
  clients: KubeClients,
  namespace: string,
  component: ComponentRef,
): Promise<Workload[]> {
  const labelSelector = checkSelector(component);
  const list = { verb: 'list', namespace };
  const [deployments, statefulSets, cronJobs] = await Promise.all([
    kubeCall({ ...list, resource: 'deployments' }, () =>
      clients.apps.listNamespacedDeployment({ namespace, labelSelector }),
    ),
    kubeCall({ ...list, resource: 'statefulsets' }, () =>
      clients.apps.listNamespacedStatefulSet({ namespace, labelSelector }),
    ),
    kubeCall({ ...list, resource: 'cronjobs' }, () =>
      clients.batch.listNamespacedCronJob({ namespace, labelSelector }),
    ),
  ]);
  const byName = <T extends { metadata?: { name?: string } }>(a: T, b: T) =>
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  return [
    ...deployments.items
      .sort(byName)
      .map((object) => ({ kind: WorkloadKind.Deployment, name: object.metadata?.name ?? '', object }) as const),
    ...statefulSets.items
      .sort(byName)
      .map((object) => ({ kind: WorkloadKind.StatefulSet, name: object.metadata?.name ?? '', object }) as const),
    ...cronJobs.items
      .sort(byName)
      .map((object) => ({ kind: WorkloadKind.CronJob, name: object.metadata?.name ?? '', object }) as const),
  ];
}

/** Like {@link findWorkloads}, but a selector that matches nothing is a non-retryable ComponentNotFound. */
export async function requireWorkloads(
  clients: KubeClients,
  deploymentId: string,
  namespace: string,
  component: ComponentRef,
): Promise<Workload[]> {
  const workloads = await findWorkloads(clients, namespace, component);
  if (workloads.length > 0) return workloads;
  const selector = selectorString(component.selector);
  throw ApplicationFailure.create({
    type: FailureType.ComponentNotFound,
    nonRetryable: true,
    message:
      `Component "${component.name}" of deployment "${deploymentId}" not found: no Deployment, StatefulSet or CronJob ` +
      `in namespace "${namespace}" matches the selector ${selector}`,
    details: [{ deploymentId, namespace, component: component.name, selector: component.selector }],
  });
}

/** Pods matching the component's selector, oldest first (name breaks ties). */
export async function listPods(clients: KubeClients, namespace: string, component: ComponentRef): Promise<V1Pod[]> {
  const labelSelector = checkSelector(component);
  const pods = await kubeCall({ verb: 'list', resource: 'pods', namespace }, () =>
    clients.core.listNamespacedPod({ namespace, labelSelector }),
  );
  const created = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  return pods.items.sort(
    (a, b) => created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
}

/** A pod that still runs or will run: anything but a finished (Succeeded or Failed) one. */
export function isLivePod(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** A pod that can take an exec: Running, Ready and not being deleted. */
export function isReadyPod(pod: V1Pod): boolean {
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return pod.status?.phase === 'Running' && ready && !pod.metadata?.deletionTimestamp;
}
