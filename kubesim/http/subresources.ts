/** Subresources: status (GET/PUT/PATCH), scale (autoscaling/v1 Scale; GET/PUT/PATCH) and pods/log. */
import type { SimContext } from '../context.js';
import { getObject, patchObject, updateObject, type WriteOptions } from '../objects.js';
import { applyPatch, type PatchType } from '../patch.js';
import type { ResourceType } from '../resources.js';
import { labelSelectorString, type LabelSelector } from '../selectors.js';
import { badRequest, conflict, invalid, methodNotAllowed } from '../status.js';
import { isObject, type KubeObject } from '../util.js';

/** The autoscaling/v1 Scale of a workload. */
function scaleOf(obj: KubeObject): Record<string, unknown> {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const status = isObject(obj.status) ? obj.status : {};
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: {
      replicas: status.replicas ?? 0,
      selector: labelSelectorString(spec.selector as LabelSelector | undefined),
    },
  };
}

function writeScale(
  ctx: SimContext,
  rt: ResourceType,
  current: KubeObject,
  scale: unknown,
  opts: WriteOptions,
): Record<string, unknown> {
  const name = current.metadata.name ?? '';
  if (!isObject(scale)) throw badRequest('the body of the request must be a Scale object');
  const meta = isObject(scale.metadata) ? scale.metadata : {};
  if (
    meta.resourceVersion !== undefined &&
    meta.resourceVersion !== '' &&
    meta.resourceVersion !== current.metadata.resourceVersion
  )
    throw conflict(rt, name);
  const replicas = isObject(scale.spec) ? scale.spec.replicas : undefined;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    throw invalid(
      { group: 'autoscaling', resource: 'scale' },
      'Scale',
      name,
      'spec.replicas',
      `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    );
  }
  const next = { ...current, spec: { ...(isObject(current.spec) ? current.spec : {}), replicas: replicas ?? 0 } };
  return scaleOf(updateObject(ctx, rt, current.metadata.namespace, name, next, opts));
}

/** Serves `<resource>/<name>/<subresource>` for every verb except exec (a WebSocket upgrade). */
export function handleSubresource(
  ctx: SimContext,
  rt: ResourceType,
  request: {
    verb: string;
    namespace?: string;
    name: string;
    subresource: string;
    patchType?: PatchType;
    body: unknown;
    opts: WriteOptions;
  },
): unknown {
  const { verb, namespace, name, subresource, body, opts } = request;
  if (!rt.subresources.includes(subresource))
    throw badRequest(`the server could not find the requested resource (${rt.resource}/${subresource})`);
  if (subresource === 'status' || subresource === 'finalize') {
    if (verb === 'get') return getObject(ctx, rt, namespace, name);
    if (verb === 'update')
      return updateObject(ctx, rt, namespace, name, body, {
        ...opts,
        subresource: subresource === 'status' ? 'status' : undefined,
      });
    if (verb === 'patch' && request.patchType)
      return patchObject(ctx, rt, namespace, name, request.patchType, body, { ...opts, subresource: 'status' });
    throw methodNotAllowed();
  }
  if (subresource === 'scale') {
    const current = getObject(ctx, rt, namespace, name);
    if (verb === 'get') return scaleOf(current);
    if (verb === 'update') return writeScale(ctx, rt, current, body, opts);
    if (verb === 'patch' && request.patchType)
      return writeScale(ctx, rt, current, applyPatch(request.patchType, scaleOf(current), body), opts);
    throw methodNotAllowed();
  }
  if (subresource === 'log' && verb === 'get') {
    getObject(ctx, rt, namespace, name);
    return '';
  }
  if (subresource === 'exec') throw badRequest('Upgrade request required');
  throw methodNotAllowed();
}
