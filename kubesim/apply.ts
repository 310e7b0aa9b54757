/** In-process `kubectl apply`: create or replace objects given as objects or YAML, without HTTP. */
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { SimContext } from './context.js';
import { createObject, updateObject } from './objects.js';
import { findByKind } from './resources.js';
import { isObject, type KubeObject } from './util.js';

/** What `apply` accepts: one object, several, or YAML text with any number of documents (and `List`s). */
export type ApplyInput = KubernetesObject | KubernetesObject[] | string;

/** The objects of an apply input, Namespaces first so later objects can go into them. */
function objectsOf(input: ApplyInput): KubeObject[] {
  const raw: unknown[] =
    typeof input === 'string'
      ? parseAllDocuments(input).map((d) => d.toJS() as unknown)
      : Array.isArray(input)
        ? input
        : [input];
  const flat = raw.flatMap((o) => (isObject(o) && o.kind === 'List' && Array.isArray(o.items) ? o.items : [o]));
  const objects = flat.filter(
    (o): o is KubeObject => isObject(o) && typeof o.kind === 'string' && typeof o.apiVersion === 'string',
  );
  if (objects.length !== flat.filter((o) => o !== null && o !== undefined).length) {
    throw new Error('kubesim apply: every document needs apiVersion and kind');
  }
  return [...objects.filter((o) => o.kind === 'Namespace'), ...objects.filter((o) => o.kind !== 'Namespace')];
}

/**
 * Creates each object, or replaces it when it exists (resourceVersion ignored). A `status` given is stored as
 * is, so tests can seed pods in any state; controllers still reconcile what they own.
 */
export function applyObjects(ctx: SimContext, input: ApplyInput): void {
  for (const obj of objectsOf(input)) {
    const rt = findByKind(obj.apiVersion, obj.kind);
    if (!rt) throw new Error(`kubesim apply: ${obj.apiVersion} ${obj.kind} is not a served resource type`);
    const metadata = isObject(obj.metadata) ? obj.metadata : {};
    const namespace = rt.namespaced ? (metadata.namespace ?? 'default') : undefined;
    const name = metadata.name ?? '';
    const body = { ...obj, metadata: { ...metadata, resourceVersion: undefined } };
    if (name && ctx.store.get(rt, namespace, name)) updateObject(ctx, rt, namespace, name, body, { keepStatus: true });
    else createObject(ctx, rt, namespace, body, { keepStatus: true });
  }
}
