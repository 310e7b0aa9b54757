/**
 * Worker and client configuration, read from the environment. The Temporal connection is read as
 * the Temporal CLI reads it (`@temporalio/envconfig`): a profile of a TOML file (TEMPORAL_CONFIG_FILE,
 * TEMPORAL_PROFILE), overridden by TEMPORAL_* variables. Styrmin's own settings are STYRMIN_* variables.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import { defaultTaskQueue } from '../contract/lifecycle.js';
import { defaultHelmConcurrency } from '../activities/helm/index.js';

/** Where and how to reach Temporal. */
export interface TemporalConnectionConfig {
  /** @default 'localhost:7233' (TEMPORAL_ADDRESS, profile `address`) */
  address: string;
  /** @default 'default' (TEMPORAL_NAMESPACE, profile `namespace`) */
  namespace: string;
  /** TLS: `true` with the system's CAs, `false` or absent for none (TEMPORAL_TLS*, profile `tls`; on by default with an API key). */
  tls?: TLSConfig | boolean;
  /** API key, e.g. for Temporal Cloud (TEMPORAL_API_KEY, profile `api_key`). */
  apiKey?: string;
  /** gRPC headers sent with every call (TEMPORAL_GRPC_META_<NAME>, profile `grpc_meta`). */
  metadata?: Record<string, string>;
}

/** The Temporal connection, and what the worker serves. */
export interface StyrminConfig extends TemporalConnectionConfig {
  /** @default 'styrmin' (STYRMIN_TASK_QUEUE) */
  taskQueue: string;
  /** Driver folders, each a driver or a folder of drivers. @default ['drivers'] (STYRMIN_DRIVERS, comma-separated) */
  driverDirs: string[];
  /** Chart locations replacing drivers' own, e.g. a mirror (STYRMIN_CHART_LOCATIONS="example-app=http://mirror/charts,..."). */
  chartLocations: Record<string, string>;
  /** Helm release steps the worker runs at once; the others wait, saying so. @default 4 (STYRMIN_HELM_CONCURRENCY) */
  helmConcurrency: number;
  /** Folder of the workflow bundles built for the drivers (STYRMIN_BUNDLE_CACHE). @default .styrmin/bundles in the Styrmin folder */
  bundleCacheDir?: string;
  /** Port of /healthz, /readyz and /metrics (STYRMIN_HTTP_PORT); none when unset. */
  httpPort?: number;
}

/** The worker's whole configuration; throws a message saying what to fix when a setting is wrong. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StyrminConfig {
  return {
    ...temporalConnectionFromEnv(env),
    taskQueue: taskQueueFromEnv(env),
    driverDirs: (env.STYRMIN_DRIVERS || 'drivers').split(',').map((dir) => path.resolve(dir.trim())),
    chartLocations: chartLocationsFromEnv(env.STYRMIN_CHART_LOCATIONS),
    helmConcurrency: positiveInteger('STYRMIN_HELM_CONCURRENCY', env.STYRMIN_HELM_CONCURRENCY, defaultHelmConcurrency),
    bundleCacheDir: bundleCacheDirFromEnv(env),
    httpPort: env.STYRMIN_HTTP_PORT ? port('STYRMIN_HTTP_PORT', env.STYRMIN_HTTP_PORT) : undefined,
  };
}

/** The bundle cache folder STYRMIN_BUNDLE_CACHE names, for the worker and the driver test harness. */
export function bundleCacheDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.STYRMIN_BUNDLE_CACHE ? path.resolve(env.STYRMIN_BUNDLE_CACHE) : undefined;
}

/** The task queue of the lifecycle workflows, for the worker and the client alike. */
export function taskQueueFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.STYRMIN_TASK_QUEUE || defaultTaskQueue;
}

/** The options `Connection.connect` and `NativeConnection.connect` take for this configuration. */
export function connectionOptions(config: TemporalConnectionConfig) {
  return { address: config.address, tls: config.tls, apiKey: config.apiKey, metadata: config.metadata };
}

/** Variables the project read before it followed the Temporal CLI's names, and their replacements. */
const renamedVariables: Record<string, string> = {
  TEMPORAL_TLS_CERT: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
};

/** How to reach Temporal: the TOML profile, then TEMPORAL_* variables, then the defaults. */
export function temporalConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalConnectionConfig {
  for (const [old, current] of Object.entries(renamedVariables)) {
    // Ignoring it would turn an mTLS setup into a plain connection that fails far from the cause.
    if (env[old]) throw new Error(`${old} is no longer read: set ${current} instead (the Temporal CLI's name)`);
  }
  const file = env.TEMPORAL_CONFIG_FILE;
  // envconfig skips a missing file silently, which is right for the default location only.
  if (file && !existsSync(file))
    throw new Error(`TEMPORAL_CONFIG_FILE=${file}: no such file (a TOML file with [profile.<name>] tables)`);
  const failed = (err: unknown) => {
    // Not `instanceof Error`: Node's fs errors may come from another realm (as under Jest).
    const message = (err as { message?: unknown })?.message ?? err;
    return new Error(
      `reading the Temporal connection settings${file ? ` (TEMPORAL_CONFIG_FILE=${file})` : ''}: ${String(message)}`,
    );
  };
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: setVariables(env) });
  } catch (err) {
    throw failed(err);
  }
  checkClientCertPair(profile);
  let options: ReturnType<typeof toClientOptions>;
  try {
    options = toClientOptions(profile); // reads the certificate and key files
  } catch (err) {
    throw failed(err);
  }
  const { address, apiKey, tls } = options.connectionOptions;
  const metadata = profile.grpcMeta;
  return {
    address: address ?? 'localhost:7233',
    namespace: options.namespace ?? 'default',
    tls: tls ?? undefined,
    apiKey,
    metadata: metadata && Object.keys(metadata).length > 0 ? metadata : undefined,
  };
}

/**
 * The environment without unset and empty variables: `TEMPORAL_API_KEY=` means no key (not an empty
 * one, which would switch TLS on). An empty TEMPORAL_GRPC_META_<NAME> stays: it removes that header.
 */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (value !== '' || name.startsWith('TEMPORAL_GRPC_META_'))) set[name] = value;
  }
  return set;
}

/** envconfig drops a client certificate without its key (or the reverse) silently; say so instead. */
function checkClientCertPair(profile: ClientConfigProfile): void {
  const { clientCert, clientKey } = profile.tls ?? {};
  if (Boolean(clientCert) === Boolean(clientKey)) return;
  const [given, missing] = clientCert ? ['a client certificate', 'its key'] : ['a client key', 'its certificate'];
  throw new Error(
    `TLS has ${given} but not ${missing}: set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH ` +
      "(or the *_DATA variables, or client_cert_path and client_key_path in the profile's tls table), or neither",
  );
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${text}: give a whole number of at least 1`);
  return value;
}

function port(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${name}=${text}: give a port, 1 to 65535`);
  return value;
}

function chartLocationsFromEnv(text: string | undefined): Record<string, string> {
  const locations: Record<string, string> = {};
  for (const entry of (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`STYRMIN_CHART_LOCATIONS: "${entry}" is not <driver>=<chart location>`);
    locations[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return locations;
}
