/**
 * The Styrmin worker: loads the drivers (refusing to start when a spec is invalid), bundles their
 * actions with the lifecycle workflows (or takes the bundle built for the same files from the
 * bundle cache), registers the primitives and serves the task queue until SIGINT or SIGTERM, when
 * it finishes the tasks in hand and stops.
 *
 * `--prepare` only loads the drivers and puts their bundle in the cache, without connecting: the
 * build step runs it, so that a worker starts without building one.
 *
 * With STYRMIN_HTTP_PORT, it serves /healthz, /readyz and /metrics there (runtime/worker-http.ts);
 * with OTEL_EXPORTER_OTLP_ENDPOINT, it exports traces of its runs there (runtime/tracing.ts).
 */
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { configFromEnv, connectionOptions, type StyrminConfig } from './runtime/config.js';
import { lazyKubeConfig } from './runtime/kube-config.js';
import { actionDurationBuckets, actionDurationMetric } from './contract/metrics.js';
import { codecFromEnv, dataConverterOf } from './runtime/payload-codec.js';
import { createStyrminWorker } from './runtime/styrmin-worker.js';
import { cachedLifecycleBundle, defaultBundleCacheDir, type BundleSource } from './runtime/bundle.js';
import { DriverSpecError, formatProblem } from './driver-spec/problems.js';
import type { LoadedDriver } from './driver-spec/load.js';
import { loadDriversInThread } from './runtime/driver-loading.js';
import { freeLoopbackPort, startWorkerHttp, type WorkerHttp } from './runtime/worker-http.js';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { tracingFromEnv, workflowTracingModule } from './runtime/tracing.js';

/** Thrown for a setting the operator has to fix: printed as one line, without a stack. */
class ConfigurationError extends Error {}

/** Runs `read`, turning what it throws into a ConfigurationError. */
function asConfigurationError<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new ConfigurationError(err instanceof Error ? err.message : String(err));
  }
}

function readMode(args: string[]): 'serve' | 'prepare' {
  if (args.length === 0) return 'serve';
  if (args.length === 1 && args[0] === '--prepare') return 'prepare';
  throw new ConfigurationError(
    `unknown arguments "${args.join(' ')}": the worker takes its settings from the environment (see the README), and only --prepare`,
  );
}

/** The drivers of the configuration, with their warnings printed. */
async function loadDrivers(config: StyrminConfig): Promise<LoadedDriver[]> {
  const drivers = await loadDriversInThread(config.driverDirs);
  for (const warning of drivers.flatMap((driver) => driver.warnings))
    console.warn(`warning: ${formatProblem(warning)}`);
  return drivers;
}

/** The drivers' workflow bundle (from the cache when built before), and where it came from. */
function workflowBundle(config: StyrminConfig, drivers: LoadedDriver[], interceptorModules: string[]) {
  return cachedLifecycleBundle(drivers, config.bundleCacheDir ?? defaultBundleCacheDir, interceptorModules);
}

function cameFrom({ source, file }: { source: BundleSource; file: string }): string {
  return `${source === 'cache' ? 'from' : 'built into'} ${file}`;
}

async function run(): Promise<void> {
  const mode = readMode(process.argv.slice(2));
  const config = asConfigurationError(configFromEnv);
  const codec = asConfigurationError(codecFromEnv);
  if (mode === 'prepare') {
    // Both bundles, without tracing and with it, so that a worker starts from the cache either way.
    const drivers = await loadDrivers(config);
    for (const [tracing, modules] of [
      ['off', []],
      ['on', [workflowTracingModule]],
    ] as const) {
      const bundle = await workflowBundle(config, drivers, [...modules]);
      console.log(
        `styrmin worker: workflow bundle (tracing ${tracing}) ${cameFrom(bundle)}; drivers: ${served(drivers)}`,
      );
    }
    return;
  }
  const tracing = asConfigurationError(tracingFromEnv);
  // Up first, so that a liveness probe passes while the drivers load; ready only once polling.
  const readiness = { notReady: async (): Promise<string | undefined> => 'starting' };
  const http = config.httpPort ? await startHttp(config, () => readiness.notReady()) : undefined;
  try {
    const drivers = await loadDrivers(config);
    const bundle = await workflowBundle(config, drivers, tracing?.workflowInterceptorModules ?? []);
    if (!codec)
      console.warn(
        'warning: no payload encryption key (STYRMIN_CODEC_KEYS or STYRMIN_CODEC_KEY_FILE): run inputs and results, secret parameter values given in an input included, are stored in Temporal in clear',
      );
    const dataConverter = dataConverterOf(codec);
    const options = connectionOptions(config);
    const nativeConnection = await NativeConnection.connect(options);
    const connection = await Connection.connect(options);
    try {
      const worker = await createStyrminWorker({
        connection: nativeConnection,
        client: new Client({
          connection,
          namespace: config.namespace,
          dataConverter,
          // What activities start carries the trace context when tracing is on; a no-op otherwise.
          interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
        }),
        dataConverter,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        drivers,
        workflowBundle: bundle.bundle,
        kubeConfig: lazyKubeConfig(),
        defaults: { chartLocations: config.chartLocations },
        helmConcurrency: config.helmConcurrency,
        // Inside Kubernetes' default 30 s between SIGTERM and SIGKILL: activities get 10 s to end
        // (a cancelled one is retried elsewhere), and the worker gives up on draining at 25 s.
        shutdownGraceTime: '10s',
        shutdownForceTime: '25s',
        tracing,
      });
      readiness.notReady = () => workerReadiness(worker, connection, config.address);
      const encryption = codec ? `payloads encrypted with key ${codec.activeKeyId}` : 'payloads in clear';
      const endpoints = http ? `, /healthz /readyz /metrics on ${http.url}` : '';
      const traces = tracing ? `, traces to ${tracing.destination}` : '';
      console.log(
        `styrmin worker on ${config.address} (namespace ${config.namespace}, task queue ${config.taskQueue}, ${config.helmConcurrency} Helm release steps at once, ${encryption}, workflow bundle ${cameFrom(bundle)}${endpoints}${traces}); drivers: ${served(drivers)}`,
      );
      await worker.run();
    } finally {
      await nativeConnection.close();
      await connection.close();
    }
  } finally {
    await tracing?.shutdown();
    await http?.close();
  }
}

/**
 * Starts the HTTP endpoints and, for /metrics, the SDK's Prometheus exporter on a loopback port
 * (the runtime takes its telemetry settings once, before the first connection).
 */
async function startHttp(config: StyrminConfig, notReady: () => Promise<string | undefined>): Promise<WorkerHttp> {
  const metricsPort = await freeLoopbackPort();
  const prometheus = {
    bindAddress: `127.0.0.1:${metricsPort}`,
    histogramBucketOverrides: { [actionDurationMetric]: actionDurationBuckets },
  };
  Runtime.install({ telemetryOptions: { metrics: { prometheus } } });
  return startWorkerHttp({ port: config.httpPort!, notReady, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
}

const Serving = proto.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;

/** Why the worker is not ready: it does not poll (starting, stopping), or Temporal does not answer within 2 s. */
async function workerReadiness(worker: Worker, connection: Connection, address: string): Promise<string | undefined> {
  const state = worker.getState();
  if (state !== 'RUNNING') return `worker ${state.toLowerCase()}`;
  try {
    const { status } = await connection.withDeadline(Date.now() + 2_000, () => connection.healthService.check({}));
    return status === Serving ? undefined : `Temporal at ${address} is not serving (health status ${status})`;
  } catch (err) {
    return `Temporal at ${address} does not answer: ${(err as Error).message}`;
  }
}

function served(drivers: LoadedDriver[]): string {
  return drivers.map((d) => `${d.name}@${d.version}`).join(', ');
}

run().catch((err: unknown) => {
  if (err instanceof DriverSpecError)
    console.error(`styrmin worker: invalid driver spec, not starting:\n${err.message}`);
  else if (err instanceof ConfigurationError) console.error(`styrmin worker: not starting: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
