/**
 * The Styrmin worker: loads the drivers (refusing to start when a spec is invalid), bundles their
 * actions with the lifecycle workflows, registers the primitives and serves the task queue until
 * SIGINT or SIGTERM, when it finishes the tasks in hand and stops.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { configFromEnv, connectionOptions, type StyrminConfig } from './runtime/config.js';
import { lazyKubeConfig } from './runtime/kube-config.js';
import { codecFromEnv, dataConverterOf, type AesGcmPayloadCodec } from './runtime/payload-codec.js';
import { createStyrminWorker } from './runtime/styrmin-worker.js';
import { DriverSpecError, formatProblem } from './driver-spec/problems.js';
import { loadDrivers } from './driver-spec/load.js';

/** Thrown for a setting the operator has to fix: printed as one line, without a stack. */
class ConfigurationError extends Error {}

function readConfig(): { config: StyrminConfig; codec: AesGcmPayloadCodec | undefined } {
  try {
    return { config: configFromEnv(), codec: codecFromEnv() };
  } catch (err) {
    throw new ConfigurationError(err instanceof Error ? err.message : String(err));
  }
}

async function run(): Promise<void> {
  const { config, codec } = readConfig();
  if (!codec)
    console.warn(
      'warning: no payload encryption key (STYRMIN_CODEC_KEYS or STYRMIN_CODEC_KEY_FILE): run inputs and results, secret parameter values given in an input included, are stored in Temporal in clear',
    );
  const dataConverter = dataConverterOf(codec);
  const drivers = await loadDrivers(config.driverDirs);
  for (const warning of drivers.flatMap((driver) => driver.warnings))
    console.warn(`warning: ${formatProblem(warning)}`);
  const options = connectionOptions(config);
  const nativeConnection = await NativeConnection.connect(options);
  const connection = await Connection.connect(options);
  try {
    const worker = await createStyrminWorker({
      connection: nativeConnection,
      client: new Client({ connection, namespace: config.namespace, dataConverter }),
      dataConverter,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      drivers,
      kubeConfig: lazyKubeConfig(),
      defaults: { chartLocations: config.chartLocations },
      helmConcurrency: config.helmConcurrency,
    });
    const served = drivers.map((d) => `${d.name}@${d.version}`).join(', ');
    const encryption = codec ? `payloads encrypted with key ${codec.activeKeyId}` : 'payloads in clear';
    console.log(
      `styrmin worker on ${config.address} (namespace ${config.namespace}, task queue ${config.taskQueue}, ${config.helmConcurrency} Helm release steps at once, ${encryption}); drivers: ${served}`,
    );
    await worker.run();
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
}

run().catch((err: unknown) => {
  if (err instanceof DriverSpecError)
    console.error(`styrmin worker: invalid driver spec, not starting:\n${err.message}`);
  else if (err instanceof ConfigurationError) console.error(`styrmin worker: not starting: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
