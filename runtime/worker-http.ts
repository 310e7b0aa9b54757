/**
 * The worker's HTTP endpoints, for Kubernetes probes and Prometheus (on STYRMIN_HTTP_PORT):
 * `/healthz` answers 200 while the process serves requests at all, `/readyz` 200 only while the
 * worker polls its task queue and Temporal answers, and `/metrics` the SDK's metrics.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** What the endpoints ask of the worker. */
export interface WorkerHttpOptions {
  port: number;
  /** @default '0.0.0.0' (probes come to the pod's address) */
  host?: string;
  /** Why the worker is not ready (`starting`, `stopping`, `Temporal unreachable: ...`), or undefined when it is. */
  notReady(): Promise<string | undefined>;
  /** Where the SDK's Prometheus exporter serves, proxied as `/metrics`. */
  metricsUrl?: string;
}

/** The running endpoints. */
export interface WorkerHttp {
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

export async function startWorkerHttp(options: WorkerHttpOptions): Promise<WorkerHttp> {
  const server: Server = createServer((request, response) => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    const route = new URL(request.url ?? '/', 'http://worker').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'GET only\n');
    switch (route) {
      case '/healthz':
        return reply(200, 'ok\n');
      case '/readyz':
        return void options.notReady().then(
          (reason) => (reason ? reply(503, `not ready: ${reason}\n`) : reply(200, 'ready\n')),
          (err: unknown) => reply(503, `not ready: ${(err as Error).message}\n`),
        );
      case '/metrics':
        if (!options.metricsUrl) return reply(404, 'no metrics exporter\n');
        return void fetch(options.metricsUrl).then(
          async (answer) => reply(answer.status, await answer.text(), answer.headers.get('content-type') ?? undefined),
          (err: unknown) => reply(503, `metrics exporter unreachable: ${(err as Error).message}\n`),
        );
      default:
        return reply(404, 'not found: /healthz, /readyz and /metrics are served\n');
    }
  });
  server.listen(options.port, options.host ?? '0.0.0.0');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nobody listens on right now on 127.0.0.1, for the SDK's exporter (which cannot pick its own). */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
