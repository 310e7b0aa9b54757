/**
 * A codec server: lets Temporal Web and the Temporal CLI (`--codec-endpoint`) show payloads the
 * payload codec encrypted, to operators who may see them. It answers Temporal's codec protocol:
 * `POST /decode` and `POST /encode` with `{"payloads": [...]}` in Temporal's JSON form, with CORS
 * for the Web UI's origins and, when a token is set, only to `Authorization: Bearer <token>`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

/** What the codec server serves and to whom. */
export interface CodecServerOptions {
  codec: PayloadCodec;
  port: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Origins allowed to call from a browser (Temporal Web), e.g. `http://localhost:8233`. */
  origins: string[];
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

/** A running codec server. */
export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

/** A payload as Temporal's JSON form writes it: metadata values and data in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const maxBodyBytes = 16 * 1024 * 1024;

function fromJson(payload: JsonPayload): Payload {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value!).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new Error(`request body larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a codec server; resolves once it listens. */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const { codec, origins, token } = options;
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Vary', 'Origin');
    }
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    const route = req.url?.split('?')[0]?.replace(/\/+$/, '').split('/').pop();
    if (req.method !== 'POST' || (route !== 'decode' && route !== 'encode'))
      return reply(404, { message: 'POST /encode or /decode' });
    if (token && req.headers.authorization !== `Bearer ${token}`)
      return reply(401, { message: 'a bearer token is required (Authorization: Bearer <token>)' });
    readBody(req)
      .then(async (text) => {
        const { payloads } = JSON.parse(text) as { payloads?: JsonPayload[] };
        if (!Array.isArray(payloads)) return reply(400, { message: 'the body must be {"payloads": [...]}' });
        const decoded = payloads.map(fromJson);
        const result = route === 'decode' ? await codec.decode(decoded) : await codec.encode(decoded);
        reply(200, { payloads: result.map(toJson) });
      })
      .catch((err: unknown) => reply(400, { message: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
