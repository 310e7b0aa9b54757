/** Deletion: preconditions, finalizers, graceful pod termination, namespace termination and orphaning. */
import type { SimContext } from './context.js';
import { withTypeMeta } from './objects.js';
import { RESOURCE_TYPES, type ResourceType } from './resources.js';
import { KubeError, notFound, successStatus, type StatusBody } from './status.js';
import { isObject, timestamp, type KubeObject } from './util.js';

/** The parts of meta/v1 DeleteOptions the simulator honours (from the body or the query). */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

function checkPreconditions(rt: ResourceType, obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw new KubeError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${rt.resource} "${obj.metadata.name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw new KubeError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${rt.resource} "${obj.metadata.name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}

/** Removes the owner reference to `uid` from every dependent (propagationPolicy=Orphan). */
function orphanDependents(ctx: SimContext, uid: string): void {
  const seen = new Set<string>();
  for (const rt of RESOURCE_TYPES) {
    if (seen.has(`${rt.group}/${rt.resource}`)) continue;
    seen.add(`${rt.group}/${rt.resource}`);
    for (const obj of ctx.store.list(rt)) {
      const refs = obj.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      obj.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
      ctx.store.put(rt, obj);
    }
  }
}

/** Marks a pod Terminating: deletionTimestamp set, containers no longer ready; the pod controller removes it later. */
function terminatePod(pod: KubeObject, graceSeconds: number): KubeObject {
  pod.metadata.deletionTimestamp = timestamp(new Date(Date.now() + graceSeconds * 1000));
  pod.metadata.deletionGracePeriodSeconds = graceSeconds;
  const status = isObject(pod.status) ? pod.status : {};
  if (Array.isArray(status.conditions)) {
    status.conditions = status.conditions.map((c) =>
      isObject(c) && (c.type === 'Ready' || c.type === 'ContainersReady') ? { ...c, status: 'False' } : c,
    );
  }
  if (Array.isArray(status.containerStatuses)) {
    status.containerStatuses = status.containerStatuses.map((c) => (isObject(c) ? { ...c, ready: false } : c));
  }
  pod.status = status;
  return pod;
}

/** Deletes one object; returns the object when it lingers (finalizers, graceful termination) or a Success Status. */
export function deleteObject(
  ctx: SimContext,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions = {},
): KubeObject | StatusBody {
  const obj = ctx.store.get(rt, namespace, name);
  if (!obj) throw notFound(rt, name);
  checkPreconditions(rt, obj, options.preconditions);
  const gone = successStatus({ name, group: rt.group, kind: rt.resource, uid: obj.metadata.uid });
  if (options.dryRun) return gone;
  if (options.propagationPolicy === 'Orphan' && obj.metadata.uid) orphanDependents(ctx, obj.metadata.uid);

  if (rt.kind === 'Pod') {
    const spec = isObject(obj.spec) ? obj.spec : {};
    const grace =
      options.gracePeriodSeconds ??
      (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30);
    const finished = isObject(obj.status) && (obj.status.phase === 'Succeeded' || obj.status.phase === 'Failed');
    if (grace > 0 && !finished && !obj.metadata.deletionTimestamp)
      return withTypeMeta(rt, ctx.store.put(rt, terminatePod(obj, grace)));
    if (grace > 0 && obj.metadata.deletionTimestamp) return withTypeMeta(rt, obj);
    ctx.store.remove(rt, namespace, name);
    return withTypeMeta(rt, obj);
  }
  if (rt.kind === 'Namespace') {
    // The namespace controller empties the namespace, then removes it.
    if (!obj.metadata.deletionTimestamp) {
      obj.metadata.deletionTimestamp = timestamp();
      obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: 'Terminating' };
      return withTypeMeta(rt, ctx.store.put(rt, obj));
    }
    return withTypeMeta(rt, obj);
  }
  if ((obj.metadata.finalizers ?? []).length > 0) {
    if (!obj.metadata.deletionTimestamp) {
      obj.metadata.deletionTimestamp = timestamp();
      obj.metadata.deletionGracePeriodSeconds = 0;
      return withTypeMeta(rt, ctx.store.put(rt, obj));
    }
    return withTypeMeta(rt, obj);
  }
  ctx.store.remove(rt, namespace, name);
  return gone;
}
