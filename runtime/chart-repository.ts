/**
 * A Helm chart repository on 127.0.0.1 for tests: packages chart folders with the real helm
 * (`helm package`, `helm repo index`) and serves `index.yaml` plus the archives over HTTP.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findHelm } from '../activities/helm/binary.js';

const run = promisify(execFile);

/** One chart to publish: a chart folder, optionally under another chart or app version. */
export interface ChartToServe {
  dir: string;
  version?: string;
  appVersion?: string;
}

/** A running chart repository. */
export interface ChartRepo {
  /** Repository URL, to use as `spec.helm.main.location`. */
  url: string;
  /** Paths requested so far (e.g. `/index.yaml`, `/example-app-1.0.0.tgz`). */
  requests: string[];
  close(): Promise<void>;
}

/** Packages the charts and serves them; close() stops the server and removes the files. */
export async function startChartRepo(opts: { charts: ChartToServe[] }): Promise<ChartRepo> {
  const helm = findHelm();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-charts-'));
  for (const chart of opts.charts) {
    const args = ['package', chart.dir, '--destination', dir];
    if (chart.version) args.push('--version', chart.version);
    if (chart.appVersion) args.push('--app-version', chart.appVersion);
    await run(helm, args);
  }
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url ?? '/', 'http://repo').pathname);
    requests.push(`/${name}`);
    const file = path.join(dir, name);
    if (!/^[\w.-]+\.(tgz|yaml)$/.test(name) || !fs.existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': name.endsWith('.yaml') ? 'application/yaml' : 'application/gzip' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await run(helm, ['repo', 'index', dir, '--url', url]);
  return {
    url,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
