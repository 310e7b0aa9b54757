/**
 * Stopping and restoring one workload. The replica count a stop scales down from is written on
 * the workload itself before scaling, and never overwritten, so a repeated stop (or a retry after
 * a crash between the two patches) still remembers the original count.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { log } from '@temporalio/activity';
import { kubeCall, type KubeRequest } from './api-errors.js';
import type { WorkloadChange } from '../../contract/kubernetes.js';
import {
  replicasBeforeStopAnnotation,
  stoppedAtAnnotation,
  suspendedByStopAnnotation,
  type KubeClients,
  type Workload,
} from './workloads.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const resourceOf = { Deployment: 'deployments', StatefulSet: 'statefulsets', CronJob: 'cronjobs' } as const;

function nowIso(): string {
  return new Date().toISOString();
}

/** Patches the workload object itself (annotations, CronJob suspend); null when it is gone. */
async function patchWorkload(clients: KubeClients, namespace: string, w: Workload, body: object) {
  const req: KubeRequest = { verb: 'patch', resource: resourceOf[w.kind], namespace, name: w.name };
  const args = { name: w.name, namespace, body };
  if (w.kind === 'Deployment')
    return kubeCall(req, () => clients.apps.patchNamespacedDeployment(args, mergePatch), { notFound: 'null' });
  if (w.kind === 'StatefulSet')
    return kubeCall(req, () => clients.apps.patchNamespacedStatefulSet(args, mergePatch), { notFound: 'null' });
  return kubeCall(req, () => clients.batch.patchNamespacedCronJob(args, mergePatch), { notFound: 'null' });
}

/** Sets replicas through the scale subresource; null when the workload is gone. */
async function scale(clients: KubeClients, namespace: string, w: Workload, replicas: number) {
  const req: KubeRequest = { verb: 'patch', resource: `${resourceOf[w.kind]}/scale`, namespace, name: w.name };
  const args = { name: w.name, namespace, body: { spec: { replicas } } };
  if (w.kind === 'Deployment')
    return kubeCall(req, () => clients.apps.patchNamespacedDeploymentScale(args, mergePatch), { notFound: 'null' });
  return kubeCall(req, () => clients.apps.patchNamespacedStatefulSetScale(args, mergePatch), { notFound: 'null' });
}

/** Reads the workload again (after a failed step); null when it is gone. */
export async function rereadWorkload(clients: KubeClients, namespace: string, w: Workload): Promise<Workload | null> {
  const req: KubeRequest = { verb: 'get', resource: resourceOf[w.kind], namespace, name: w.name };
  const args = { name: w.name, namespace };
  if (w.kind === 'Deployment') {
    const object = await kubeCall(req, () => clients.apps.readNamespacedDeployment(args), { notFound: 'null' });
    return object && { ...w, object };
  }
  if (w.kind === 'StatefulSet') {
    const object = await kubeCall(req, () => clients.apps.readNamespacedStatefulSet(args), { notFound: 'null' });
    return object && { ...w, object };
  }
  const object = await kubeCall(req, () => clients.batch.readNamespacedCronJob(args), { notFound: 'null' });
  return object && { ...w, object };
}

/** The replicas a stop remembered on the workload, if any. */
export function rememberedReplicas(w: Workload): number | undefined {
  const value = w.object.metadata?.annotations?.[replicasBeforeStopAnnotation];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0) return n;
  log.warn(`${w.kind} ${w.name}: ignoring annotation ${replicasBeforeStopAnnotation}="${value}", not a replica count`);
  return undefined;
}

/** Remembers the replicas on the object (unless already remembered), then scales to 0; a CronJob is suspended instead. */
export async function stopWorkload(
  clients: KubeClients,
  namespace: string,
  component: string,
  w: Workload,
): Promise<WorkloadChange> {
  const base = { component, kind: w.kind, name: w.name };
  if (w.kind === 'CronJob') {
    if (w.object.spec?.suspend)
      return { ...base, replicasBefore: null, replicasAfter: null, suspended: true, changed: false };
    await patchWorkload(clients, namespace, w, {
      metadata: { annotations: { [suspendedByStopAnnotation]: 'true', [stoppedAtAnnotation]: nowIso() } },
      spec: { suspend: true },
    });
    return { ...base, replicasBefore: null, replicasAfter: null, suspended: true, changed: true };
  }
  const replicas = w.object.spec?.replicas ?? 1;
  const hadAnnotation = w.object.metadata?.annotations?.[replicasBeforeStopAnnotation] !== undefined;
  if (!hadAnnotation && replicas > 0) {
    // resourceVersion makes the patch conditional: a concurrent stop that annotated first wins (409, re-read, retry).
    const annotations = { [replicasBeforeStopAnnotation]: String(replicas), [stoppedAtAnnotation]: nowIso() };
    const patched = await patchWorkload(clients, namespace, w, {
      metadata: { resourceVersion: w.object.metadata?.resourceVersion, annotations },
    });
    if (!patched) return { ...base, replicasBefore: replicas, replicasAfter: 0, changed: false };
  }
  if (replicas > 0) await scale(clients, namespace, w, 0);
  const before = hadAnnotation ? (rememberedReplicas(w) ?? replicas) : replicas;
  return { ...base, replicasBefore: before, replicasAfter: 0, changed: replicas > 0 };
}

/** Scales back to the remembered replicas; workloads a stop did not touch are left as they are. */
export async function restoreWorkload(
  clients: KubeClients,
  namespace: string,
  component: string,
  w: Workload,
): Promise<WorkloadChange> {
  const base = { component, kind: w.kind, name: w.name };
  if (w.kind === 'CronJob') {
    const suspended = w.object.spec?.suspend ?? false;
    return { ...base, replicasBefore: null, replicasAfter: null, suspended, changed: false };
  }
  const replicas = w.object.spec?.replicas ?? 1;
  const target = rememberedReplicas(w);
  if (target === undefined) return { ...base, replicasBefore: replicas, replicasAfter: replicas, changed: false };
  if (target !== replicas) await scale(clients, namespace, w, target);
  return { ...base, replicasBefore: replicas, replicasAfter: target, changed: true };
}

/** Ends a stop once the workload runs again: drops the annotation, resumes a CronJob the stop suspended. */
export async function forgetStop(clients: KubeClients, namespace: string, w: Workload): Promise<boolean> {
  const annotations = w.object.metadata?.annotations ?? {};
  if (w.kind === 'CronJob') {
    if (annotations[suspendedByStopAnnotation] === undefined) return false;
    await patchWorkload(clients, namespace, w, {
      metadata: { annotations: { [suspendedByStopAnnotation]: null, [stoppedAtAnnotation]: null } },
      spec: { suspend: false },
    });
    return true;
  }
  if (annotations[replicasBeforeStopAnnotation] === undefined) return false;
  await patchWorkload(clients, namespace, w, {
    metadata: { annotations: { [replicasBeforeStopAnnotation]: null, [stoppedAtAnnotation]: null } },
  });
  return true;
}
