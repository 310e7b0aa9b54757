/** The HTTP server: request log, faults, authentication, then non-resource, resource and exec dispatch. */
import { createServer, ServerResponse, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import type { SimContext } from '../context.js';
import { checkExecRequest, runExecSession } from '../exec/exec-server.js';
import { chooseProtocol } from '../exec/protocol.js';
import type { ExecHandler } from '../exec/types.js';
import type { FaultInjector } from '../faults.js';
import { badRequest, KubeError, type StatusBody } from '../status.js';
import { handleNonResource, PUBLIC_PATHS } from './non-resource.js';
import { queryRecord, type RecordedRequest } from './recording.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { handleResourceRequest } from './resources.js';
import { asKubeError, decodeBody, readBody, sendError } from './respond.js';

/** What the HTTP server serves from. */
export interface ServerDeps {
  ctx: SimContext;
  faults: FaultInjector;
  requests: RecordedRequest[];
  /** The bearer token clients must present. */
  token: string;
  execHandler: () => ExecHandler;
}

/** A listening API server. */
export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Checks the bearer token. A request without credentials is served, as on the API server's old insecure port:
 * client-go (helm, kubectl) never sends kubeconfig credentials over plain HTTP. A wrong token is a 401.
 */
function authenticate(req: IncomingMessage, info: RequestInfo, token: string): void {
  if (!info.isResource && PUBLIC_PATHS.has(info.path)) return;
  const header = req.headers.authorization;
  if (header !== undefined && header !== `Bearer ${token}`) throw new KubeError(401, 'Unauthorized', 'Unauthorized');
}

function rejectUpgrade(socket: Duplex, status: StatusBody): void {
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Starts the API server on host:port (port 0 picks a free one). */
export async function startApiServer(deps: ServerDeps, host: string, port: number): Promise<ApiServer> {
  const sockets = new Set<Socket>();
  const longRunning = new Set<() => void>();
  const closing = new AbortController();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => chooseProtocol(offered) });
  const onClose = (stop: () => void): (() => void) => {
    longRunning.add(stop);
    return () => longRunning.delete(stop);
  };

  const begin = (req: IncomingMessage): { url: URL; record: RecordedRequest; info: RequestInfo } => {
    const url = new URL(req.url ?? '/', 'http://kubesim');
    const method = req.method ?? 'GET';
    const record: RecordedRequest = { method, path: url.pathname, query: queryRecord(url.searchParams), status: 0 };
    if (req.headers['content-type']) record.contentType = req.headers['content-type'];
    deps.requests.push(record);
    return { url, record, info: parseRequestInfo(method, url) };
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { url, record, info } = begin(req);
    res.on('finish', () => (record.status = res.statusCode));
    try {
      const raw = await readBody(req);
      let body: unknown;
      let bodyError: unknown;
      try {
        body = decodeBody(raw, req.headers['content-type']);
        if (body !== undefined) record.body = body;
      } catch (err) {
        bodyError = err;
        record.body = raw.toString('utf8');
      }
      const plan = deps.faults.take(record.method, url.pathname, info);
      if (plan.delayMs > 0) await sleep(plan.delayMs, undefined, { signal: closing.signal }).catch(() => undefined);
      if (plan.action?.carriedOut && info.isResource && !bodyError) {
        // The write happens; only its answer is lost (it goes to a response nobody reads).
        authenticate(req, info, deps.token);
        try {
          handleResourceRequest(deps.ctx, { info, url, req, res: new ServerResponse(req), body, onClose });
        } catch {
          // refused writes stay refused: the fault's answer replaces the refusal too
        }
      }
      if (plan.action?.kind === 'drop') return void req.socket.destroy();
      if (plan.action?.kind === 'error') throw plan.action.error;
      authenticate(req, info, deps.token);
      if (bodyError) throw bodyError;
      if (!info.isResource) return handleNonResource(info.path, req, res);
      handleResourceRequest(deps.ctx, { info, url, req, res, body, onClose });
    } catch (err) {
      if (!res.headersSent) sendError(res, asKubeError(err));
      else res.end();
    }
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const { url, record, info } = begin(req);
    socket.on('error', () => undefined);
    try {
      const plan = deps.faults.take(record.method, url.pathname, info);
      if (plan.delayMs > 0) await sleep(plan.delayMs, undefined, { signal: closing.signal }).catch(() => undefined);
      if (plan.action?.kind === 'drop') return void socket.destroy();
      if (plan.action?.kind === 'error') throw plan.action.error;
      authenticate(req, info, deps.token);
      if (
        !info.isResource ||
        info.resource !== 'pods' ||
        info.subresource !== 'exec' ||
        !info.namespace ||
        !info.name
      ) {
        throw badRequest(`the server does not support upgrading ${url.pathname}`);
      }
      const target = checkExecRequest(deps.ctx, info.namespace, info.name, url.searchParams);
      record.status = 101;
      runExecSession(
        wss,
        req,
        socket,
        head,
        { ...target, namespace: info.namespace, params: url.searchParams },
        deps.execHandler(),
        closing.signal,
      );
    } catch (err) {
      const error = asKubeError(err);
      record.status = error.code;
      rejectUpgrade(socket, error.toStatus());
    }
  };

  const server: Server = createServer((req, res) => void onRequest(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void onUpgrade(req, socket, head));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${boundPort}`,
    close: async () => {
      closing.abort();
      for (const stop of [...longRunning]) stop();
      for (const client of wss.clients) client.terminate();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
