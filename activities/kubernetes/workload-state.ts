/**
 * Reading a component's state: its workloads' replicas and its pods' phases and reasons.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ComponentRef } from '../../contract/run-context.js';
import type { ComponentStatus, PodState, WorkloadState } from '../../contract/kubernetes.js';
import {
  isLivePod,
  isReadyPod,
  listPods,
  replicasBeforeStopAnnotation,
  requireWorkloads,
  type KubeClients,
  type Workload,
} from './workloads.js';

/** Why a pod is not running well: a container's waiting or terminated reason, else the pod's own. */
function podReason(pod: V1Pod): string | undefined {
  const init = pod.status?.initContainerStatuses ?? [];
  const main = pod.status?.containerStatuses ?? [];
  for (const s of [...init, ...main]) if (s.state?.waiting?.reason) return s.state.waiting.reason;
  for (const s of init)
    if (s.state?.terminated && s.state.terminated.exitCode !== 0) return s.state.terminated.reason ?? 'Error';
  for (const s of main) if (s.state?.terminated?.reason) return s.state.terminated.reason;
  if (pod.status?.reason) return pod.status.reason;
  return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')?.reason;
}

/** One pod as reports show it. */
export function podState(pod: V1Pod): PodState {
  const reason = podReason(pod);
  return {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready: isReadyPod(pod),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    ...(reason ? { reason } : {}),
  };
}

/** One workload as reports show it. */
function workloadState(w: Workload): WorkloadState {
  if (w.kind === 'CronJob') {
    const suspended = w.object.spec?.suspend ?? false;
    return { kind: w.kind, name: w.name, desiredReplicas: null, readyReplicas: null, observed: true, suspended };
  }
  const observed = (w.object.status?.observedGeneration ?? 0) >= (w.object.metadata?.generation ?? 0);
  const remembered = w.object.metadata?.annotations?.[replicasBeforeStopAnnotation];
  return {
    kind: w.kind,
    name: w.name,
    desiredReplicas: w.object.spec?.replicas ?? 1,
    readyReplicas: w.object.status?.readyReplicas ?? 0,
    observed,
    ...(remembered !== undefined && !Number.isNaN(Number(remembered))
      ? { replicasBeforeStop: Number(remembered) }
      : {}),
  };
}

/** A Deployment or StatefulSet whose controller saw the latest spec and has every desired replica ready. */
export function isWorkloadReady(w: WorkloadState): boolean {
  return w.kind === 'CronJob' || (w.observed && w.readyReplicas === w.desiredReplicas);
}

/** Reads the workloads and pods of one component. */
export async function readComponentStatus(
  clients: KubeClients,
  deploymentId: string,
  namespace: string,
  component: ComponentRef,
): Promise<ComponentStatus> {
  const [workloads, pods] = await Promise.all([
    requireWorkloads(clients, deploymentId, namespace, component),
    listPods(clients, namespace, component),
  ]);
  const workloadStates = workloads.map(workloadState);
  return {
    name: component.name,
    selector: component.selector,
    ready: workloadStates.every(isWorkloadReady),
    stopped: !pods.some(isLivePod),
    workloads: workloadStates,
    pods: pods.map(podState),
  };
}

/** A pod for messages: `web-1 (Running, not ready: CrashLoopBackOff)`. */
export function describePod(p: PodState): string {
  const state = p.terminating ? 'terminating' : p.ready ? 'ready' : 'not ready';
  return `${p.name} (${p.phase}, ${state}${p.reason ? `: ${p.reason}` : ''})`;
}

/** At most `max` pods in a message; a component of hundreds must not make a failure unreadable. */
function podList(pods: PodState[], max = 20): string {
  const shown = pods.slice(0, max).map(describePod).join(', ');
  return pods.length > max ? `${shown} and ${pods.length - max} more` : shown;
}

/** What a component still lacks to be ready, for progress and timeout messages. */
export function describeNotReady(s: ComponentStatus): string {
  const workloads = s.workloads
    .filter((w) => !isWorkloadReady(w))
    .map(
      (w) =>
        `${w.kind} ${w.name} ${w.readyReplicas} of ${w.desiredReplicas} ready${w.observed ? '' : ' (spec not yet observed)'}`,
    );
  const pods = s.pods.filter((p) => !p.ready && p.phase !== 'Succeeded');
  return `${s.name}: ${workloads.join(', ')}${pods.length ? `; pods: ${podList(pods)}` : ''}`;
}

/** What a component still has running, for progress and timeout messages. */
export function describeNotStopped(s: ComponentStatus, podsAtStart?: number): string {
  const live = s.pods.filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed');
  const count = podsAtStart && podsAtStart >= live.length ? `${live.length} of ${podsAtStart}` : `${live.length}`;
  return `${s.name}: ${count} pod${live.length === 1 && !podsAtStart ? '' : 's'} left (${podList(live)})`;
}
