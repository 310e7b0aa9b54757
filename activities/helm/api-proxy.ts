/**
 * A retrying front for the Kubernetes API, for helm. An upgrade makes dozens of API requests and
 * helm (client-go) gives up on the first 500 or dropped connection, so against a flaky API server
 * a whole release rarely gets through, and retrying the whole step only starts it over. Helm talks
 * to this proxy on 127.0.0.1 instead: it forwards each request with the worker's credentials and
 * retries, request by request, what the API server may answer differently next time.
 *
 * What is retried (docs/release.md, "API faults"):
 * - 429 and 503: the server did not do the work; after its Retry-After (at most 10 s).
 * - 500, 502, 504 and a connection lost before the answer: the server may have done the work. Reads,
 *   PUT, PATCH and DELETE are safe to repeat as helm sends them (no resourceVersion preconditions);
 *   a repeated POST that meets `AlreadyExists` answers with the object the first POST created, and a
 *   repeated DELETE that meets `NotFound` answers success.
 * Each request is retried for at most `requestBudgetMs`; then helm gets the last answer and the
 * step's own classifier decides (binary.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';

/** What the proxy did, for the step's log and the fault soak's figures. */
export interface ProxyStats {
  requests: number;
  /** Retries by cause: `429`, `500`, `connection`, ... */
  retried: Record<string, number>;
  /** Requests still failing when their budget ran out (helm saw the error). */
  gaveUp: number;
}

/** A running proxy: the kubeconfig helm should use, and how to stop it. */
export interface ApiProxy {
  /**
   * A kubeconfig (JSON) pointing at the proxy. Its server URL holds a random path prefix the proxy
   * insists on, so only a process that can read the kubeconfig (mode 0600) can use the proxy:
   * client-go sends no credentials over plain HTTP.
   */
  kubeconfig: string;
  stats: ProxyStats;
  close(): Promise<void>;
}

export interface ApiProxyOptions {
  /** How long one request may be retried. @default 60000 */
  requestBudgetMs?: number;
  /** First pause between attempts, doubled each time up to 2 s. @default 100 */
  initialBackoffMs?: number;
}

/** The largest request body forwarded (a release's Secret is at most 1 MiB, its manifests less). */
const maxBodyBytes = 16 * 1024 * 1024;
const maxRetryAfterMs = 10_000;

/** The outcome of one attempt: an answer, or a connection error before any answer. */
type Attempt = { response: http.IncomingMessage } | { error: Error };

/** Where one attempt goes, when not where helm sent it. */
interface Target {
  method: string;
  path: string;
  accept?: string;
}

/** A whole answer for helm. */
interface Answer {
  status: number;
  body: Buffer | string;
  contentType?: string;
}

/** Statuses whose request the server did not carry out. */
const notDone = new Set([429, 503]);
/** Statuses whose request the server may or may not have carried out. */
const maybeDone = new Set([500, 502, 504]);

/** Starts a proxy in front of the current cluster of `kc`; `close()` it when the step ends. */
export async function startApiProxy(kc: KubeConfig, options: ApiProxyOptions = {}): Promise<ApiProxy> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const upstream = new URL(cluster.server);
  const tlsOptions: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tlsOptions);
  const agent =
    upstream.protocol === 'https:'
      ? new https.Agent({
          keepAlive: true,
          ca: tlsOptions.ca,
          cert: tlsOptions.cert,
          key: tlsOptions.key,
          rejectUnauthorized: tlsOptions.rejectUnauthorized,
          servername: tlsOptions.servername,
        })
      : new http.Agent({ keepAlive: true });
  const token = randomBytes(24).toString('hex');
  const stats: ProxyStats = { requests: 0, retried: {}, gaveUp: 0 };
  const budgetMs = options.requestBudgetMs ?? 60_000;
  const initialBackoffMs = options.initialBackoffMs ?? 100;

  /** One attempt at a request, with fresh credentials (an exec plugin's token may expire). */
  async function send(
    req: http.IncomingMessage,
    body: Buffer | undefined,
    target: Target = { method: req.method ?? 'GET', path: req.url ?? '/' },
  ) {
    const credentials: https.RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(credentials);
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      ...(credentials.headers as http.OutgoingHttpHeaders),
      host: upstream.host,
    };
    for (const name of ['authorization', 'connection', ...(body ? [] : ['content-type', 'content-length'])])
      delete headers[name];
    if (target.accept) headers.accept = target.accept;
    const request = upstream.protocol === 'https:' ? https.request : http.request;
    return new Promise<Attempt>((resolve) => {
      const out = request(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          path: upstream.pathname.replace(/\/$/, '') + target.path,
          method: target.method,
          headers,
          agent,
          auth: credentials.auth,
        },
        (response) => resolve({ response }),
      );
      out.on('error', (error) => resolve({ error }));
      out.end(body);
    });
  }

  /**
   * Sends a request until it gets an answer worth giving helm or its budget runs out. `ambiguous`
   * says whether an earlier attempt may have been carried out.
   */
  async function forward(
    req: http.IncomingMessage,
    body: Buffer | undefined,
    target?: Target,
  ): Promise<{ attempt: Attempt; ambiguous: boolean }> {
    const deadline = Date.now() + budgetMs;
    let backoffMs = initialBackoffMs;
    let ambiguous = false;
    for (;;) {
      const attempt = await send(req, body, target);
      const status = 'response' in attempt ? attempt.response.statusCode! : 0;
      const retryable = 'error' in attempt || notDone.has(status) || maybeDone.has(status);
      const retryAfter = 'response' in attempt ? Number(attempt.response.headers['retry-after']) : NaN;
      const waitMs = notDone.has(status) && retryAfter > 0 ? Math.min(retryAfter * 1000, maxRetryAfterMs) : backoffMs;
      if (!retryable) return { attempt, ambiguous };
      if (Date.now() + waitMs > deadline) {
        stats.gaveUp++;
        return { attempt, ambiguous };
      }
      const cause = 'error' in attempt ? 'connection' : String(status);
      stats.retried[cause] = (stats.retried[cause] ?? 0) + 1;
      if ('response' in attempt) attempt.response.resume();
      if (!notDone.has(status)) ambiguous = true;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      backoffMs = Math.min(backoffMs * 2, 2_000);
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests++;
    if (!req.url?.startsWith(`/${token}/`)) return answer(res, 401, 'Unauthorized', 'Unauthorized');
    req.url = req.url.slice(token.length + 1);
    if (req.headers.upgrade)
      return answer(res, 501, 'NotImplemented', 'the release proxy does not forward streaming (exec) requests');
    const body = await readBody(req);
    if (!body) return answer(res, 413, 'RequestEntityTooLarge', `request body over ${maxBodyBytes} bytes`);
    const { attempt, ambiguous } = await forward(req, body);
    if ('error' in attempt)
      return answer(
        res,
        502,
        'ServiceUnavailable',
        `API server unreachable from the release proxy: ${attempt.error.message}`,
      );
    const settled = ambiguous ? await settleRepeat(req, body, attempt.response) : undefined;
    if (!settled) return pipe(attempt.response, res);
    res.writeHead(settled.status, settled.contentType ? { 'content-type': settled.contentType } : {});
    res.end(settled.body);
  }

  /**
   * A POST or DELETE repeated after an attempt that may have been carried out: a conflict and a
   * NotFound then mean the first attempt did it. (Helm checks that an object does not exist before
   * creating it, and the deployment's lock keeps other runs away.)
   */
  async function settleRepeat(
    req: http.IncomingMessage,
    body: Buffer,
    response: http.IncomingMessage,
  ): Promise<Answer | undefined> {
    const repeatedCreate = req.method === 'POST' && response.statusCode === 409;
    const repeatedDelete = req.method === 'DELETE' && response.statusCode === 404;
    if (!repeatedCreate && !repeatedDelete) return undefined;
    const original: Answer = {
      status: response.statusCode!,
      body: await readAll(response),
      contentType: response.headers['content-type'],
    };
    if (repeatedDelete) return jsonAnswer(200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    const name = createdName(body, req.headers['content-type']);
    if (!name) return original;
    const [pathname, query] = (req.url ?? '/').split('?');
    const path = `${pathname}/${encodeURIComponent(name)}${query ? `?${query}` : ''}`;
    const { attempt: created } = await forward(req, undefined, { method: 'GET', path, accept: 'application/json' });
    if ('response' in created && created.response.statusCode === 200)
      return { status: 201, body: await readAll(created.response), contentType: 'application/json' };
    if ('response' in created) created.response.resume();
    return original;
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) answer(res, 502, 'ServiceUnavailable', `release proxy: ${err.message}`);
      else res.destroy(err);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    kubeconfig: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'styrmin', cluster: { server: `http://127.0.0.1:${port}/${token}` } }],
      users: [{ name: 'styrmin', user: {} }],
      contexts: [{ name: 'styrmin', context: { cluster: 'styrmin', user: 'styrmin' } }],
      'current-context': 'styrmin',
    }),
    stats,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

/** The request body, or `undefined` when it is over the limit. */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readAll(response: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * `metadata.name` of an object sent to be created: JSON, or Kubernetes protobuf (client-go's typed
 * clients, helm's release Secrets among them, send it): the magic `k8s\0`, then an `Unknown`
 * envelope whose field 2 holds the object, whose field 1 is its ObjectMeta, whose field 1 is the name.
 */
export function createdName(body: Buffer, contentType = ''): string | undefined {
  if (contentType.includes('protobuf')) {
    if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') return undefined;
    const object = protobufField(body.subarray(4), 2);
    const meta = object && protobufField(object, 1);
    const name = meta && protobufField(meta, 1);
    return name?.toString('utf8') || undefined;
  }
  try {
    return (JSON.parse(body.toString()) as { metadata?: { name?: string } }).metadata?.name || undefined;
  } catch {
    return undefined;
  }
}

/** The bytes of the first length-delimited field `number` of a protobuf message, if it has one. */
function protobufField(message: Buffer, number: number): Buffer | undefined {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; at < message.length; shift += 7) {
      const byte = message[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new Error('truncated protobuf');
  };
  try {
    while (at < message.length) {
      const key = varint();
      const [field, wireType] = [Math.floor(key / 8), key % 8];
      if (wireType === 0) varint();
      else if (wireType === 1) at += 8;
      else if (wireType === 5) at += 4;
      else if (wireType === 2) {
        const length = varint();
        if (field === number) return message.subarray(at, at + length);
        at += length;
      } else return undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Streams an answer to helm as it comes (a watch runs until either side ends it). */
function pipe(from: http.IncomingMessage, to: http.ServerResponse): void {
  const headers = { ...from.headers };
  delete headers.connection;
  delete headers['keep-alive'];
  to.writeHead(from.statusCode ?? 502, headers);
  from.pipe(to);
  from.on('error', () => to.destroy());
  to.on('close', () => from.destroy());
}

function jsonAnswer(status: number, body: unknown): Answer {
  return { status, body: JSON.stringify(body), contentType: 'application/json' };
}

/** A Kubernetes `Status` answer, which helm words as the API server's own. */
function answer(res: http.ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }));
}
