/** LIST and DELETECOLLECTION: selectors, pagination and the `<Kind>List` envelope. */
import type { SimContext } from '../context.js';
import { deleteObject, type DeleteOptions } from '../deletion.js';
import { groupVersion, type ResourceType } from '../resources.js';
import { parseFieldSelector, parseLabelSelector } from '../selectors.js';
import { badRequest } from '../status.js';
import { objectKey, type KubeObject } from '../util.js';

/** Objects of a type matching `labelSelector` and `fieldSelector` query parameters. */
function selectObjects(
  ctx: SimContext,
  rt: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): KubeObject[] {
  const byLabels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const byFields = parseFieldSelector(query.get('fieldSelector') ?? undefined);
  return ctx.store.list(rt, namespace).filter((o) => byLabels(o.metadata.labels ?? {}) && byFields(o));
}

function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
}

/** Items of a list carry no apiVersion/kind, as the API server's typed lists do. */
function listItem(obj: KubeObject): Omit<KubeObject, 'apiVersion' | 'kind'> {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** The `<Kind>List` body of a LIST, honouring `limit` and `continue`. */
export function listBody(
  ctx: SimContext,
  rt: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): Record<string, unknown> {
  let items = selectObjects(ctx, rt, namespace, query);
  let resourceVersion = String(ctx.store.currentRevision);
  const token = query.get('continue');
  if (token) {
    let parsed: { rv: string; after: string };
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { rv: string; after: string };
    } catch {
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
    resourceVersion = parsed.rv;
    items = items.filter((o) => keyOf(o) > parsed.after);
  }
  const limit = Number(query.get('limit') ?? '0');
  const metadata: Record<string, unknown> = { resourceVersion };
  if (limit > 0 && items.length > limit) {
    metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1];
    metadata.continue = Buffer.from(JSON.stringify({ rv: resourceVersion, after: last ? keyOf(last) : '' })).toString(
      'base64',
    );
  }
  return { apiVersion: groupVersion(rt), kind: `${rt.kind}List`, metadata, items: items.map(listItem) };
}

/** DELETECOLLECTION: deletes every selected object and answers with the list of them. */
export function deleteCollection(
  ctx: SimContext,
  rt: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
  options: DeleteOptions,
): Record<string, unknown> {
  const selected = selectObjects(ctx, rt, namespace, query);
  for (const obj of selected) {
    if (ctx.store.get(rt, obj.metadata.namespace, obj.metadata.name ?? ''))
      deleteObject(ctx, rt, obj.metadata.namespace, obj.metadata.name ?? '', options);
  }
  return {
    apiVersion: groupVersion(rt),
    kind: `${rt.kind}List`,
    metadata: { resourceVersion: String(ctx.store.currentRevision) },
    items: selected.map(listItem),
  };
}
