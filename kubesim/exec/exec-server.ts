/** pods/exec: the checks made before the upgrade, then the WebSocket session that runs the command. */
import type { IncomingMessage } from 'node:http';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { WebSocket, WebSocketServer } from 'ws';
import type { SimContext } from '../context.js';
import { findByPath, type ResourceType } from '../resources.js';
import { badRequest, notFound } from '../status.js';
import { isObject, type KubeObject } from '../util.js';
import { Channel, decodeFrame, encodeFrame, exitStatus, hasJsonStatus, startFailureStatus } from './protocol.js';
import type { ExecHandler, ExecRequest } from './types.js';

const podsType = findByPath('', 'v1', 'pods') as ResourceType;

function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  return value === 'true' || value === '1';
}

function containerRunning(pod: KubeObject, container: string): boolean {
  const status = isObject(pod.status) ? pod.status : {};
  const statuses = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isObject) : [];
  const entry = statuses.find((c) => c.name === container);
  return status.phase === 'Running' && isObject(entry?.state) && isObject(entry.state.running);
}

/** Validates an exec request as the API server and kubelet do; throws the HTTP error to answer before upgrading. */
export function checkExecRequest(
  ctx: SimContext,
  namespace: string,
  name: string,
  params: URLSearchParams,
): { pod: KubeObject; container: string; command: string[] } {
  const pod = ctx.store.get(podsType, namespace, name);
  if (!pod) throw notFound(podsType, name);
  const command = params.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  const phase = isObject(pod.status) ? pod.status.phase : undefined;
  if (phase === 'Succeeded' || phase === 'Failed')
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${String(phase)}`);
  const spec = isObject(pod.spec) ? pod.spec : {};
  const names = (Array.isArray(spec.containers) ? spec.containers.filter(isObject) : []).map((c) => String(c.name));
  let container = params.get('container') ?? '';
  if (!container) {
    if (names.length !== 1)
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    container = names[0] ?? '';
  }
  if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  if (!containerRunning(pod, container)) throw badRequest(`container not found ("${container}")`);
  return { pod, container, command };
}

function channelWriter(ws: WebSocket, channel: number, enabled: boolean): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!enabled || ws.readyState !== ws.OPEN) return callback();
      ws.send(encodeFrame(ws.protocol, channel, chunk), () => callback());
    },
  });
}

/** Upgrades the connection and runs the command through the handler, ending with the status on channel 3. */
export function runExecSession(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: { namespace: string; pod: KubeObject; container: string; command: string[]; params: URLSearchParams },
  handler: ExecHandler,
  closing: AbortSignal,
): void {
  wss.handleUpgrade(req, socket, head, (ws) => {
    const abort = new AbortController();
    const onClosing = (): void => abort.abort();
    closing.addEventListener('abort', onClosing);
    const stdin = flag(target.params, 'stdin') ? new PassThrough() : null;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame = decodeFrame(ws.protocol, data, isBinary);
      if (frame?.channel === Channel.Stdin) stdin?.write(frame.payload);
      if (frame?.channel === Channel.Close && frame.payload[0] === Channel.Stdin) stdin?.end();
    });
    ws.on('close', () => {
      stdin?.end();
      abort.abort();
      closing.removeEventListener('abort', onClosing);
    });
    const stdout = channelWriter(ws, Channel.Stdout, flag(target.params, 'stdout'));
    const stderr = channelWriter(ws, Channel.Stderr, flag(target.params, 'stderr'));
    const request: ExecRequest = {
      namespace: target.namespace,
      pod: target.pod.metadata.name ?? '',
      container: target.container,
      command: target.command,
      tty: flag(target.params, 'tty'),
      stdin,
      stdout,
      stderr,
      signal: abort.signal,
      podObject: target.pod as KubernetesObject,
    };
    void (async () => {
      const result = await handler(request).catch((err: unknown) => ({
        startError: err instanceof Error ? err.message : String(err),
      }));
      for (const stream of [stdout, stderr]) if (!stream.writableEnded) stream.end();
      await Promise.all([finished(stdout), finished(stderr)]).catch(() => undefined);
      if (ws.readyState !== ws.OPEN) return;
      const status = 'exitCode' in result ? exitStatus(result.exitCode) : startFailureStatus(result.startError);
      if (hasJsonStatus(ws.protocol))
        ws.send(encodeFrame(ws.protocol, Channel.Error, Buffer.from(JSON.stringify(status))));
      else if (status.status !== 'Success')
        ws.send(encodeFrame(ws.protocol, Channel.Error, Buffer.from(String(status.message))));
      ws.close(1000);
    })();
  });
}
