/** Serves resource requests: get, list, watch, create, update, patch, delete, deletecollection and subresources. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { deleteObject, type DeleteOptions } from '../deletion.js';
import { createObject, getObject, patchObject, updateObject, type WriteOptions } from '../objects.js';
import { patchTypeOf } from '../patch.js';
import { findByPath } from '../resources.js';
import { badRequest, KubeError, methodNotAllowed } from '../status.js';
import { isObject } from '../util.js';
import { deleteCollection, listBody } from './list.js';
import type { RequestInfo } from './request-info.js';
import { sendJson } from './respond.js';
import { handleSubresource } from './subresources.js';
import { serveWatch } from './watch.js';

type ResourceInfo = Extract<RequestInfo, { isResource: true }>;

/** What the resource handler needs from one HTTP exchange. */
export interface ResourceExchange {
  info: ResourceInfo;
  url: URL;
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  /** Registers a long-running response (watch) to end when the server closes. */
  onClose: (stop: () => void) => () => void;
}

function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const fromBody = isObject(body) ? body : {};
  const grace = query.get('gracePeriodSeconds') ?? fromBody.gracePeriodSeconds;
  const policy =
    query.get('propagationPolicy') ??
    fromBody.propagationPolicy ??
    (query.get('orphanDependents') === 'true' || fromBody.orphanDependents === true ? 'Orphan' : undefined);
  const dryRun =
    query.getAll('dryRun').includes('All') || (Array.isArray(fromBody.dryRun) && fromBody.dryRun.includes('All'));
  return {
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace),
    preconditions: isObject(fromBody.preconditions)
      ? (fromBody.preconditions as DeleteOptions['preconditions'])
      : undefined,
    dryRun,
  };
}

/** Answers one resource request (the response is written here). */
export function handleResourceRequest(ctx: SimContext, exchange: ResourceExchange): void {
  const { info, url, req, res, body } = exchange;
  const query = url.searchParams;
  const rt = findByPath(info.group, info.version, info.resource);
  if (!rt) throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  const namespace = rt.namespaced ? info.namespace : undefined;
  if (rt.namespaced && !namespace && info.name)
    throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  const opts: WriteOptions = { dryRun: query.getAll('dryRun').includes('All') };
  if (
    info.verb === 'patch' &&
    patchTypeOf(req.headers['content-type']) === 'application/apply-patch+yaml' &&
    !query.get('fieldManager')
  ) {
    throw new KubeError(
      422,
      'Invalid',
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  }
  const patchType = info.verb === 'patch' ? patchTypeOf(req.headers['content-type']) : undefined;

  if (info.subresource) {
    const result = handleSubresource(ctx, rt, {
      verb: info.verb,
      namespace,
      name: info.name ?? '',
      subresource: info.subresource,
      patchType,
      body,
      opts,
    });
    if (typeof result === 'string') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(result);
    } else sendJson(res, 200, result);
    return;
  }
  switch (info.verb) {
    case 'get':
      return sendJson(res, 200, getObject(ctx, rt, namespace, info.name ?? ''));
    case 'list':
      return sendJson(res, 200, listBody(ctx, rt, namespace, query));
    case 'watch':
      return serveWatch(ctx, rt, namespace, info.name, query, req, res, exchange.onClose);
    case 'create':
      if (info.name) throw methodNotAllowed();
      return sendJson(res, 201, createObject(ctx, rt, namespace, body, opts));
    case 'update':
      return sendJson(res, 200, updateObject(ctx, rt, namespace, info.name ?? '', body, opts));
    case 'patch': {
      const existed = ctx.store.get(rt, namespace, info.name ?? '') !== undefined;
      const result = patchObject(
        ctx,
        rt,
        namespace,
        info.name ?? '',
        patchType ?? 'application/merge-patch+json',
        body,
        opts,
      );
      return sendJson(res, existed ? 200 : 201, result);
    }
    case 'delete': {
      const result = deleteObject(ctx, rt, namespace, info.name ?? '', deleteOptions(query, body));
      return sendJson(res, 200, result);
    }
    case 'deletecollection':
      return sendJson(res, 200, deleteCollection(ctx, rt, namespace, query, deleteOptions(query, body)));
    default:
      throw badRequest(`verb ${info.verb} is not supported`);
  }
}
