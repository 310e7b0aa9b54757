/** Writing responses and reading request bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobuf } from '../protobuf.js';
import { badRequest, KubeError, unsupportedMediaType, type StatusBody } from '../status.js';

/** Sends a JSON body with a status code. */
export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends a Status body with its own code. */
function sendStatus(res: ServerResponse, status: StatusBody, headers: Record<string, string> = {}): void {
  sendJson(res, status.code, status, headers);
}

/** Sends a KubeError as the Status the API server would answer. */
export function sendError(res: ServerResponse, err: KubeError): void {
  const retry = err.details?.retryAfterSeconds;
  sendStatus(res, err.toStatus(), retry !== undefined ? { 'Retry-After': String(retry) } : {});
}

/** The raw request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The base media type of a Content-Type header. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Decodes a JSON, YAML or (for the kinds typed clients send so) protobuf body; anything else is a 415. */
export function decodeBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobuf(raw);
  const text = raw.toString('utf8');
  try {
    if (type.includes('yaml')) return parseYaml(text) as unknown;
    if (type === '' || type.includes('json')) return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`error decoding request body: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw unsupportedMediaType(type);
}

/** Wraps any error into a KubeError (unexpected ones become 500). */
export function asKubeError(err: unknown): KubeError {
  if (err instanceof KubeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KubeError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}
