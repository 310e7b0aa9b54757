/**
 * A plain HTTP proxy in front of the simulator that sees the watches going through it: which are
 * open right now, how many were asked for, and it can refuse them (403, as without the RBAC verb
 * `watch`) or cut the open ones. The simulator's own faults match on the path only, which a watch
 * shares with a list; and only the client's side of a socket tells whether a watch was closed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** A running proxy. */
export interface WatchProxy {
  /** A KubeConfig like `target`, but pointing at the proxy. */
  kubeConfig(): KubeConfig;
  /** `path?labelSelector` of each watch open through the proxy now. */
  openWatches(): string[];
  /** Watch requests received so far, refused ones included. */
  watchRequests: number;
  /** While true, every watch request is answered with a 403 Status, as an RBAC denial. */
  refuseWatches: boolean;
  /** Closes every open watch as a server's timeout or a lost connection would. */
  cutWatches(): void;
  close(): Promise<void>;
}

/** Starts a proxy to the cluster `target` (plain HTTP, as the simulator serves). */
export async function startWatchProxy(target: KubeConfig): Promise<WatchProxy> {
  const upstream = new URL(target.getCurrentCluster()?.server ?? '');
  const open = new Map<http.ServerResponse, string>();
  const proxy: WatchProxy = {
    kubeConfig,
    openWatches: () => [...open.values()],
    watchRequests: 0,
    refuseWatches: false,
    cutWatches: () => {
      for (const res of open.keys()) res.destroy();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', upstream);
    const isWatch = url.searchParams.get('watch') === 'true';
    if (isWatch) {
      proxy.watchRequests++;
      if (proxy.refuseWatches) {
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 }),
        );
        return;
      }
      open.set(res, `${url.pathname}?${url.searchParams.get('labelSelector') ?? ''}`);
      res.on('close', () => open.delete(res));
    }
    const forwarded = http.request(
      url,
      { method: req.method, headers: { ...req.headers, host: url.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders(); // a watch of an empty collection sends nothing more for a while: its client needs the headers now
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    res.on('close', () => forwarded.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  function kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    const user = target.getCurrentUser();
    const cluster = target.getCurrentCluster();
    if (!user || !cluster) throw new Error('the target KubeConfig has no current user or cluster');
    kc.loadFromOptions({
      clusters: [{ ...cluster, name: 'watch-proxy', server: `http://127.0.0.1:${port}` }],
      users: [user],
      contexts: [{ name: 'watch-proxy', cluster: 'watch-proxy', user: user.name }],
      currentContext: 'watch-proxy',
    });
    return kc;
  }
  return proxy;
}
