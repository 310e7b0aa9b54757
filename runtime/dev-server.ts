/**
 * Local Temporal dev servers, the real `temporal` CLI with Styrmin's search attributes: the quick
 * start's, with a file database and the Web UI, which reuses a server already listening on its
 * port; and throwaway ones for tests, benches and the driver test harness.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerSearchAttributeArgs, searchAttributeKeys } from '../contract/search-attributes.js';
import { temporalCli } from './temporal-cli.js';

/** A reachable dev server; `stop` ends it if this process started it. */
export interface DevServer {
  address: string;
  webUrl: string;
  stop(): Promise<void>;
}

async function reachable(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '1s' });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `temporal server start-dev` with its database in `stateDir`, unless one already answers.
 * With `uiCodecEndpoint`, its Web UI decodes payloads through that codec server.
 */
export async function ensureDevServer(
  stateDir: string,
  port = 7233,
  uiPort = 8233,
  uiCodecEndpoint?: string,
): Promise<DevServer> {
  const address = `127.0.0.1:${port}`;
  const webUrl = `http://127.0.0.1:${uiPort}`;
  if (await reachable(address)) return { address, webUrl, stop: async () => undefined };
  mkdirSync(stateDir, { recursive: true });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort)];
  args.push(
    '--db-filename',
    path.join(stateDir, 'temporal.db'),
    '--log-level',
    'error',
    ...devServerSearchAttributeArgs(),
    ...(uiCodecEndpoint ? ['--ui-codec-endpoint', uiCodecEndpoint] : []),
  );
  const server: ChildProcess = spawn(temporalCli(), args, { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  server.once('error', (err) =>
    console.error(`could not start the Temporal CLI (${err.message}); run scripts/install-tools.sh`),
  );
  for (let i = 0; i < 120; i++) {
    if (await reachable(address)) {
      return {
        address,
        webUrl,
        stop: async () => {
          server.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  server.kill('SIGKILL');
  throw new Error(`the Temporal dev server did not come up on ${address}`);
}

/** A throwaway dev server: in memory, on free loopback ports, stopped by its `teardown()`. */
export function startThrowawayDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli() },
      searchAttributes: searchAttributeKeys,
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
    },
  });
}
