/** Building the Styrmin worker: drivers, workflow bundle, activities, one task queue. */
import type { Client } from '@temporalio/client';
import type { DataConverter, Duration } from '@temporalio/common';
import { DefaultLogger, Runtime, Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { primitiveMetrics } from '../activities/metrics.js';
import type { LoadedDriver } from '../driver-spec/load.js';
import { bundleLifecycleWorkflows } from './bundle.js';
import type { WorkerTracing } from './tracing.js';

/** What a Styrmin worker is made of. */
export interface StyrminWorkerOptions extends Omit<ActivityDeps, 'drivers' | 'client'> {
  connection: NativeConnection;
  client: Client;
  namespace?: string;
  taskQueue: string;
  drivers: LoadedDriver[];
  /** A bundle built earlier for the same drivers (the worker's cache; tests build one per file). */
  workflowBundle?: WorkflowBundle;
  /** How payloads are encoded: with the payload codec when a key is configured (runtime/payload-codec.ts). */
  dataConverter?: DataConverter;
  /** How long a stopping worker lets running activities finish before cancelling them. @default 0 */
  shutdownGraceTime?: Duration;
  /** When a stopping worker gives up waiting and fails (its process should then exit). @default never */
  shutdownForceTime?: Duration;
  /** OpenTelemetry tracing (runtime/tracing.ts); the bundle must then include its workflow interceptors. */
  tracing?: WorkerTracing;
}

/** Creates a worker serving `setup`, `upgrade` and the drivers' actions. */
export async function createStyrminWorker(options: StyrminWorkerOptions): Promise<Worker> {
  const {
    connection,
    namespace,
    taskQueue,
    drivers,
    workflowBundle,
    dataConverter,
    shutdownGraceTime,
    shutdownForceTime,
    tracing,
    ...deps
  } = options;
  return Worker.create({
    connection,
    namespace,
    dataConverter,
    taskQueue,
    // Given only when set: the SDK takes an explicit `undefined` for a value, not for its default.
    ...(shutdownGraceTime !== undefined ? { shutdownGraceTime } : {}),
    ...(shutdownForceTime !== undefined ? { shutdownForceTime } : {}),
    workflowBundle:
      workflowBundle ?? (await bundleLifecycleWorkflows(drivers, tracing?.workflowInterceptorModules ?? [])),
    activities: createActivities({ ...deps, drivers }),
    interceptors: { activity: [...(tracing?.activityInterceptors ?? []), primitiveMetrics] },
    ...(tracing ? { sinks: tracing.sinks } : {}),
    // Heartbeats reach Temporal at least every 2 s, well inside the 10 s heartbeat timeout: the SDK
    // would otherwise send them every 8 s (80 % of it), and a busy worker could miss the timeout
    // while alive, starting a second attempt beside the first.
    maxHeartbeatThrottleInterval: '2s',
  });
}

/**
 * Workers of this process log errors only: in tests, the failures provoked on purpose would
 * drown the output. The SDK's runtime takes it once; a later call changes nothing.
 */
export function quietWorkers(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already, by an earlier call in this process.
  }
}
