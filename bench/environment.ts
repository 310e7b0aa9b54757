/**
 * What a benchmark run needs, all throwaway: a Temporal dev server (the installed CLI), a
 * Kubernetes API test server, and a Styrmin worker for the generated drivers.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startKubeSim, type KubeSim } from '../kubesim/index.js';
import { createStyrminWorker } from '../runtime/styrmin-worker.js';
import type { LoadedDriver } from '../driver-spec/load.js';
import { searchAttributeKeys } from '../contract/search-attributes.js';
import { temporalCli } from '../runtime/temporal-cli.js';

/** The Temporal CLI that scripts/install-tools.sh installs. */

/** A running benchmark environment; `close` stops everything it started. */
export interface BenchEnvironment {
  temporal: TestWorkflowEnvironment;
  sim: KubeSim;
  taskQueue: string;
  /** Runs `fn` while the worker serves the task queue. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startBenchEnvironment(drivers: LoadedDriver[]): Promise<BenchEnvironment> {
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCli() }, searchAttributes: searchAttributeKeys },
  });
  const sim = await startKubeSim();
  const taskQueue = `styrmin-bench-${randomUUID().slice(0, 8)}`;
  let worker: Worker;
  try {
    worker = await createStyrminWorker({
      connection: temporal.nativeConnection,
      client: temporal.client,
      taskQueue,
      drivers,
      kubeConfig: () => sim.kubeConfig(),
    });
  } catch (err) {
    await Promise.allSettled([temporal.teardown(), sim.close()]);
    throw err;
  }
  return {
    temporal,
    sim,
    taskQueue,
    withWorker: (fn) => worker.runUntil(fn()),
    async close() {
      await temporal.teardown();
      await sim.close();
    },
  };
}
