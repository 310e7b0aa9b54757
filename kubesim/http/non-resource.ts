/** Non-resource paths: discovery, /version, health and OpenAPI. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { coreVersions, groupInfo, groupList, resourceList, SIMULATED_VERSION, versionInfo } from '../discovery.js';
import { KubeError } from '../status.js';
import { sendJson } from './respond.js';

/** Paths anonymous clients may read, as the system:public-info-viewer role allows. */
export const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

function notFound(): KubeError {
  return new KubeError(404, 'NotFound', 'the server could not find the requested resource');
}

/**
 * Serves a non-resource GET. Discovery is always answered in the plain (unaggregated) form, which clients that
 * ask for aggregated discovery accept as well. /openapi/v2 is an empty document: clients that validate against it
 * (helm, kubectl) find no schema and skip client-side validation; /openapi/v3 is absent, as on older servers.
 */
export function handleNonResource(path: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const address = `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
  const trimmed = path.replace(/\/+$/, '') || '/';
  if (trimmed === '/version') return sendJson(res, 200, versionInfo());
  if (trimmed === '/healthz' || trimmed === '/livez' || trimmed === '/readyz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (trimmed === '/api') return sendJson(res, 200, coreVersions(address));
  if (trimmed === '/apis') return sendJson(res, 200, groupList());
  if (trimmed === '/openapi/v2') {
    if ((req.headers.accept ?? '').includes('protobuf')) {
      // An empty protobuf message is a valid, empty openapi_v2.Document.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 0 });
      res.end();
      return;
    }
    return sendJson(res, 200, {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: SIMULATED_VERSION.gitVersion },
      paths: {},
      definitions: {},
    });
  }
  const parts = trimmed.split('/').filter((p) => p.length > 0);
  if (parts[0] === 'api' && parts.length === 2) {
    const list = resourceList('', parts[1] ?? '');
    if (list) return sendJson(res, 200, list);
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = groupInfo(parts[1] ?? '');
    if (group) return sendJson(res, 200, group);
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const list = resourceList(parts[1] ?? '', parts[2] ?? '');
    if (list) return sendJson(res, 200, list);
  }
  throw notFound();
}
