/** Helpers the workload controllers share: owner references, pods of an owner, pod creation and status writes. */
import type { SimContext } from '../context.js';
import { deleteObject } from '../deletion.js';
import { createObject } from '../objects.js';
import { findByPath, type ResourceType } from '../resources.js';
import type { StoreEvent } from '../store.js';
import { clone, deepEqual, isObject, type JsonObject, type KubeObject, type OwnerReference } from '../util.js';

/** The core/v1 pods resource type. */
export const podsType = findByPath('', 'v1', 'pods') as ResourceType;

/** The spec of a workload, as far as the controllers read it. */
export interface WorkloadSpec {
  replicas?: number;
  paused?: boolean;
  selector?: { matchLabels?: Record<string, string> };
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: JsonObject;
  };
  strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
  podManagementPolicy?: string;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  volumeClaimTemplates?: KubeObject[];
  suspend?: boolean;
  completions?: number;
  parallelism?: number;
  backoffLimit?: number;
}

/** The spec of an object, typed for the controllers. */
export function specOf(obj: KubeObject): WorkloadSpec {
  return (isObject(obj.spec) ? obj.spec : {}) as WorkloadSpec;
}

/** The status object of an object (empty when missing). */
export function statusOf(obj: KubeObject | undefined): JsonObject {
  return obj && isObject(obj.status) ? obj.status : {};
}

/** A controller owner reference to `owner`. */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The controller owner reference of an object, if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/** Keys of the owning controller of a changed object, for controllers watching their dependents. */
export function ownerKeys(event: StoreEvent, dependentKind: string, ownerKind: string): string[] {
  if (event.object.kind !== dependentKind && event.rt.kind !== dependentKind) return [];
  const ref = controllerOf(event.object);
  return ref?.kind === ownerKind ? [`${event.object.metadata.namespace}/${ref.name}`] : [];
}

/** Splits a `namespace/name` key. */
export function splitKey(key: string): [string, string] {
  const [namespace = '', name = ''] = key.split('/');
  return [namespace, name];
}

/** Pods whose controller is the object with this uid. */
export function podsOf(ctx: SimContext, namespace: string, uid: string): KubeObject[] {
  return ctx.store.list(podsType, namespace).filter((p) => controllerOf(p)?.uid === uid);
}

/** Whether a pod's Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  const conditions = statusOf(pod).conditions;
  return Array.isArray(conditions) && conditions.some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
}

/** Whether a pod counts as a replica: not terminating and not finished. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = statusOf(pod).phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Creates a pod from a template, owned by `owner`. */
export function createPod(
  ctx: SimContext,
  owner: KubeObject,
  name: string,
  template: WorkloadSpec['template'],
  extraLabels: Record<string, string> = {},
): void {
  const meta = template?.metadata ?? {};
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...extraLabels },
      ...(meta.annotations ? { annotations: clone(meta.annotations) } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: clone(template?.spec ?? {}),
  };
  createObject(ctx, podsType, owner.metadata.namespace, pod);
}

/** Deletes a pod gracefully (it stays Terminating for a while). */
export function deletePod(ctx: SimContext, pod: KubeObject): void {
  if (!pod.metadata.deletionTimestamp)
    deleteObject(ctx, podsType, pod.metadata.namespace, pod.metadata.name ?? '', { propagationPolicy: 'Background' });
}

/** Writes `status` (and optional metadata changes) when it differs from what is stored. */
export function writeStatus(
  ctx: SimContext,
  rt: ResourceType,
  obj: KubeObject,
  status: JsonObject,
  annotations?: Record<string, string>,
): void {
  const current = ctx.store.get(rt, obj.metadata.namespace, obj.metadata.name ?? '');
  if (!current) return;
  const nextAnnotations = annotations
    ? { ...(current.metadata.annotations ?? {}), ...annotations }
    : current.metadata.annotations;
  if (deepEqual(current.status, status) && deepEqual(current.metadata.annotations, nextAnnotations)) return;
  current.status = status;
  if (nextAnnotations) current.metadata.annotations = nextAnnotations;
  ctx.store.put(rt, current);
}

/** A condition, keeping lastTransitionTime when its status did not change. */
export function condition(
  previous: unknown,
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: string,
): JsonObject {
  const old = Array.isArray(previous) ? previous.find((c) => isObject(c) && c.type === type) : undefined;
  const unchanged = isObject(old) && old.status === status;
  const kept = unchanged && old.reason === reason && old.message === message;
  return {
    type,
    status,
    lastUpdateTime: kept && typeof old.lastUpdateTime === 'string' ? old.lastUpdateTime : now,
    lastTransitionTime: unchanged && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : now,
    reason,
    message,
  };
}
