/** Worker and client configuration, read from the environment. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';

/** Default task queue of the lifecycle workflows. */
export const taskQueue = 'styrmin';

/** Where and how to reach Temporal, and what the worker serves. */
export interface StyrminConfig {
  /** @default 'localhost:7233' (TEMPORAL_ADDRESS) */
  address: string;
  /** @default 'default' (TEMPORAL_NAMESPACE) */
  namespace: string;
  /** @default 'styrmin' (STYRMIN_TASK_QUEUE) */
  taskQueue: string;
  /** Driver folders, each a driver or a folder of drivers. @default ['drivers'] (STYRMIN_DRIVERS, comma-separated) */
  driverDirs: string[];
  /** mTLS for a production Temporal (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME). */
  tls?: TLSConfig;
  /** API key for Temporal Cloud (TEMPORAL_API_KEY). */
  apiKey?: string;
  /** Chart locations replacing drivers' own, e.g. a mirror (STYRMIN_CHART_LOCATIONS="example-app=http://mirror/charts,..."). */
  chartLocations: Record<string, string>;
}

/** Reads the configuration from `env`, failing clearly on a half-configured TLS. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StyrminConfig {
  return {
    address: env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.STYRMIN_TASK_QUEUE || taskQueue,
    driverDirs: (env.STYRMIN_DRIVERS || 'drivers').split(',').map((dir) => path.resolve(dir.trim())),
    tls: tlsFromEnv(env),
    apiKey: env.TEMPORAL_API_KEY || undefined,
    chartLocations: chartLocationsFromEnv(env.STYRMIN_CHART_LOCATIONS),
  };
}

function tlsFromEnv(env: NodeJS.ProcessEnv): TLSConfig | undefined {
  const { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: serverName } = env;
  if (!cert && !key && !ca) return env.TEMPORAL_TLS === 'true' ? {} : undefined;
  if (Boolean(cert) !== Boolean(key)) {
    throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both paths (client certificate and its key) or neither');
  }
  return {
    serverNameOverride: serverName || undefined,
    serverRootCACertificate: ca ? readFileSync(ca) : undefined,
    clientCertPair: cert && key ? { crt: readFileSync(cert), key: readFileSync(key) } : undefined,
  };
}

function chartLocationsFromEnv(text: string | undefined): Record<string, string> {
  const locations: Record<string, string> = {};
  for (const entry of (text ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`STYRMIN_CHART_LOCATIONS: "${entry}" is not <driver>=<chart location>`);
    locations[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return locations;
}
