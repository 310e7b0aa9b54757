/**
 * The quick start: a Temporal dev server (file database, Web UI), the cluster in KUBECONFIG or the
 * Kubernetes API test server, the Styrmin worker, then a setup and an upgrade of the example
 * driver. Prints the Temporal Web links and the outcome of each run.
 *
 * Payloads are encrypted with a local key kept in <state-dir>/codec-keys (made on first use), and a
 * codec server lets Temporal Web show them decrypted.
 *
 * Options: --exit (stop once both runs ended), --port 7233, --ui-port 8233, --codec-port 8081,
 * --state-dir .styrmin
 *
 * Ctrl-C or SIGTERM stops everything it started, at any point: the worker drains, the test
 * server and the dev server stop, and it exits 0 (a run left unfinished stays in the dev server's
 * database, and the next quick start's worker finishes it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { readDeploymentRecord } from '../activities/record/store.js';
import { getProgress, startSetup, startUpgrade } from '../client.js';
import { ensureDevServer } from '../runtime/dev-server.js';
import { taskQueueFromEnv } from '../runtime/config.js';
import { createStyrminWorker } from '../runtime/styrmin-worker.js';
import { startCodecServer } from '../runtime/codec-server.js';
import { AesGcmPayloadCodec, dataConverterOf, newCodecKey, parseCodecKeys } from '../runtime/payload-codec.js';
import { loadDrivers } from '../driver-spec/load.js';
import { printProgress } from '../cli/progress.js';
import { repoRoot, startExampleEnvironment } from './example-environment.js';

const { values: options } = parseArgs({
  options: {
    exit: { type: 'boolean', default: false },
    port: { type: 'string', default: '7233' },
    'ui-port': { type: 'string', default: '8233' },
    'codec-port': { type: 'string', default: '8081' },
    'state-dir': { type: 'string', default: path.join(repoRoot, '.styrmin') },
  },
});
const deploymentId = 'example';
const namespace = 'example';

function webLink(webUrl: string, workflowId: string): string {
  return `${webUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;
}

async function runAndReport(
  client: Client,
  webUrl: string,
  hook: 'setup' | 'upgrade',
  start: () => Promise<{ workflowId: string; result(): Promise<unknown> }>,
) {
  const handle = await start();
  console.log(`\n${hook} started: ${webLink(webUrl, handle.workflowId)}`);
  const failure = await handle.result().then(
    () => undefined,
    (err: { cause?: Error }) => err.cause ?? err,
  );
  printProgress(await getProgress(client, handle.workflowId));
  if (failure) throw new Error(`${hook} failed: ${failure instanceof Error ? failure.message : String(failure)}`);
}

/** The quick start's own key, made once and kept with its dev server's database. */
function localCodec(stateDir: string): AesGcmPayloadCodec {
  const file = path.join(stateDir, 'codec-keys');
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `# the quick start's payload key (STYRMIN_CODEC_KEY_FILE format)\n${newCodecKey('local')}\n`, {
      mode: 0o600,
    });
  }
  return new AesGcmPayloadCodec(parseCodecKeys(readFileSync(file, 'utf8'), file));
}

/** Resolves on the first SIGINT or SIGTERM. */
const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
});

async function main(): Promise<void> {
  // The signals are handled here, once: the SDK's own handler would shut the worker down a second time.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const codec = localCodec(options['state-dir']);
  const uiPort = Number(options['ui-port']);
  const codecServer = await startCodecServer({
    codec,
    port: Number(options['codec-port']),
    origins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
  });
  const temporal = await ensureDevServer(options['state-dir'], Number(options.port), uiPort, codecServer.url);
  console.log(`Temporal dev server ${temporal.address}, Temporal Web ${temporal.webUrl}`);
  console.log(
    `Payloads are encrypted (key file ${path.join(options['state-dir'], 'codec-keys')}); Temporal Web decrypts them through the codec server ${codecServer.url}` +
      ` (a dev server started earlier: set it under "Codec Server" in Web's settings). Temporal CLI: --codec-endpoint ${codecServer.url}`,
  );
  const dataConverter = dataConverterOf(codec);
  const environment = await startExampleEnvironment();
  console.log(
    environment.sim
      ? `Kubernetes API test server ${environment.sim.url} (no KUBECONFIG found)`
      : `cluster from ${environment.kubeconfigPath}`,
  );

  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter });
  const worker = await createStyrminWorker({
    connection: nativeConnection,
    client,
    dataConverter,
    taskQueue: taskQueueFromEnv(),
    drivers: await loadDrivers([path.join(repoRoot, 'drivers')]),
    kubeConfig: () => environment.kubeConfig,
    defaults: { chartLocations: { 'example-app': environment.chartRepositoryUrl } },
  });
  let stopping = false;
  // The client connection stays open: a run cut short may still be waited on through it, and
  // closing it under that wait throws; the process exits right after.
  const stopAll = async () => {
    stopping = true;
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await environment.close();
    await temporal.stop();
    await codecServer.close();
  };
  const running = worker.run();
  const runs = async () => {
    const suffix = new Date()
      .toISOString()
      .replace(/[-:.TZ]/g, '')
      .slice(0, 14);
    const existing = await readDeploymentRecord(environment.kubeConfig, { deploymentId, namespace });
    if (existing?.status === 'deployed') {
      console.log(
        `\ndeployment ${deploymentId} is already set up in this cluster (application ${existing.appVersion}): upgrading only`,
      );
    } else
      await runAndReport(client, temporal.webUrl, 'setup', () =>
        startSetup(
          client,
          { deploymentId, driver: 'example-app', namespace, version: '1.0.0', parameters: { replicas: 2 } },
          { workflowId: `${deploymentId}/setup-${suffix}` },
        ),
      );
    await runAndReport(client, temporal.webUrl, 'upgrade', () =>
      startUpgrade(
        client,
        { deploymentId, driver: 'example-app', namespace, targetVersion: '2.0.0' },
        { workflowId: `${deploymentId}/upgrade-${suffix}` },
      ),
    );
    console.log(
      `\nBoth runs succeeded. Find them in Temporal Web: ${temporal.webUrl}/namespaces/default/workflows?query=${encodeURIComponent(`StyrminKind="run" AND StyrminDeploymentId="${deploymentId}"`)}`,
    );
  };
  const finished = runs().catch((err: unknown) => {
    if (stopping) return; // the dev server stopped under a run cut short: not the run's failure
    process.exitCode = 1;
    console.error(err instanceof Error ? err.message : err);
  });
  let signal = await Promise.race([finished.then(() => undefined), stopRequested]);
  if (!signal && !options.exit) {
    console.log('Everything stays up for Temporal Web; press Ctrl-C to stop.');
    signal = await stopRequested;
  }
  if (signal) console.log(`\n${signal}: stopping the worker, the test server and the Temporal dev server`);
  await stopAll();
}

main().then(
  () => process.exit(),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
