/** The semantics of writes: create, update, status update, patch and get, as the API server applies them. */
import { randomUUID } from 'node:crypto';
import type { SimContext } from './context.js';
import { applyDefaults } from './defaults.js';
import { applyPatch, PatchType } from './patch.js';
import { findByPath, groupVersion, type ResourceType } from './resources.js';
import { alreadyExists, badRequest, conflict, invalid, KubeError, notFound } from './status.js';
import { clone, deepEqual, isObject, randomSuffix, timestamp, type KubeObject } from './util.js';

/** Options of a write. */
export interface WriteOptions {
  /** `dryRun=All`: validate and return the result without storing it. */
  dryRun?: boolean;
  /** Keep a `status` given in the body (in-process seeding); the API ignores it otherwise. */
  keepStatus?: boolean;
}

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const namespacesType = findByPath('', 'v1', 'namespaces') as ResourceType;

/** The object, or a 404 NotFound. */
export function getObject(ctx: SimContext, rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
  const found = ctx.store.get(rt, namespace, name);
  if (!found) throw notFound(rt, name);
  return withTypeMeta(rt, found);
}

/** The object with the apiVersion and kind of the version it is served as. */
export function withTypeMeta(rt: ResourceType, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: groupVersion(rt), kind: rt.kind };
}

function decodeBody(rt: ResourceType, body: unknown): KubeObject {
  if (!isObject(body)) throw badRequest('the body of the request must be a JSON or YAML object');
  const obj = clone(body) as KubeObject;
  const expected = groupVersion(rt);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== rt.kind)
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${rt.kind})`);
  obj.apiVersion = expected;
  obj.kind = rt.kind;
  obj.metadata = isObject(obj.metadata) ? obj.metadata : {};
  return obj;
}

function placeInNamespace(rt: ResourceType, obj: KubeObject, namespace: string | undefined): void {
  if (!rt.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = namespace ?? obj.metadata.namespace ?? 'default';
}

/** The parts of an object whose change bumps metadata.generation. */
function specOf(obj: KubeObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function stored(ctx: SimContext, rt: ResourceType, obj: KubeObject, opts: WriteOptions): KubeObject {
  return withTypeMeta(rt, opts.dryRun ? obj : ctx.store.put(rt, obj));
}

/** Creates an object (POST): 409 when it exists, 404 when its namespace does not. */
export function createObject(
  ctx: SimContext,
  rt: ResourceType,
  namespace: string | undefined,
  body: unknown,
  opts: WriteOptions = {},
): KubeObject {
  const obj = decodeBody(rt, body);
  placeInNamespace(rt, obj, namespace);
  const meta = obj.metadata;
  if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
  if (!meta.name) throw invalid(rt, rt.kind, '', 'metadata.name', 'Required value: name or generateName is required');
  if (!NAME_PATTERN.test(meta.name) || meta.name.length > 253) {
    throw invalid(
      rt,
      rt.kind,
      meta.name,
      'metadata.name',
      `Invalid value: "${meta.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
  if (rt.namespaced) {
    const ns = ctx.store.get(namespacesType, undefined, meta.namespace ?? '');
    if (!ns) throw notFound(namespacesType, meta.namespace ?? '');
    if (ns.metadata.deletionTimestamp) {
      throw new KubeError(
        403,
        'Forbidden',
        `${rt.resource} "${meta.name}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`,
      );
    }
  }
  if (ctx.store.get(rt, meta.namespace, meta.name)) throw alreadyExists(rt, meta.name);
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (rt.hasGeneration) meta.generation = 1;
  else delete meta.generation;
  if (rt.subresources.includes('status') && !opts.keepStatus) delete obj.status;
  applyDefaults(rt, obj, undefined, ctx.allocator);
  return stored(ctx, rt, obj, opts);
}

/** Replaces an object (PUT), or only its status when `subresource` is `status`. */
export function updateObject(
  ctx: SimContext,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  body: unknown,
  opts: WriteOptions & { subresource?: 'status' } = {},
): KubeObject {
  const current = ctx.store.get(rt, namespace, name);
  if (!current) throw notFound(rt, name);
  const incoming = decodeBody(rt, body);
  if (incoming.metadata.name && incoming.metadata.name !== name) {
    throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
  }
  placeInNamespace(rt, incoming, namespace ?? current.metadata.namespace);
  const rv = incoming.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) throw conflict(rt, name);

  let next: KubeObject;
  if (opts.subresource === 'status') {
    next = { ...clone(current), status: incoming.status };
  } else {
    next = incoming;
    next.metadata = {
      ...incoming.metadata,
      name,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      deletionTimestamp: current.metadata.deletionTimestamp,
      deletionGracePeriodSeconds: current.metadata.deletionGracePeriodSeconds,
      generation: current.metadata.generation,
    };
    if (rt.subresources.includes('status') && !(opts.keepStatus && incoming.status !== undefined))
      next.status = current.status;
    applyDefaults(rt, next, current, ctx.allocator);
    if (rt.hasGeneration && !deepEqual(specOf(next), specOf(current)))
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
  }
  for (const key of Object.keys(next.metadata)) if (next.metadata[key] === undefined) delete next.metadata[key];
  next.metadata.resourceVersion = current.metadata.resourceVersion;
  // An update that changes nothing is not written, so it neither bumps resourceVersion nor wakes watchers.
  if (deepEqual(next, current)) return withTypeMeta(rt, current);
  if (
    next.metadata.deletionTimestamp &&
    (next.metadata.finalizers ?? []).length === 0 &&
    rt.kind !== 'Pod' &&
    rt.kind !== 'Namespace'
  ) {
    if (!opts.dryRun) ctx.store.remove(rt, next.metadata.namespace, name);
    return withTypeMeta(rt, next);
  }
  return stored(ctx, rt, next, opts);
}

/** Patches an object (PATCH); an apply patch creates the object when it does not exist. */
export function patchObject(
  ctx: SimContext,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  type: PatchType,
  patch: unknown,
  opts: WriteOptions & { subresource?: 'status' } = {},
): KubeObject {
  const current = ctx.store.get(rt, namespace, name);
  if (!current) {
    if (type !== PatchType.Apply) throw notFound(rt, name);
    const body = isObject(patch)
      ? { ...patch, metadata: { ...(isObject(patch.metadata) ? patch.metadata : {}), name } }
      : patch;
    return createObject(ctx, rt, namespace, body, opts);
  }
  const patched = applyPatch(type, withTypeMeta(rt, current), patch);
  if (!isObject(patched)) throw badRequest('the patch did not produce an object');
  const meta = isObject(patched.metadata) ? patched.metadata : {};
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== current.metadata.resourceVersion)
    throw conflict(rt, name);
  const body = { ...patched, metadata: { ...meta, name, resourceVersion: current.metadata.resourceVersion } };
  return updateObject(ctx, rt, namespace, name, body, opts);
}
