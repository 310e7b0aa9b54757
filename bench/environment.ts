/**
 * What a benchmark run needs, all throwaway: a Temporal dev server (the installed CLI), a
 * Kubernetes API test server, a Styrmin worker for the generated drivers, and a bare worker for
 * the floor workflows Styrmin is compared with (bench/floor-workflows.ts).
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { startKubeSim, type KubeSim } from '../kubesim/index.js';
import { startThrowawayDevServer } from '../runtime/dev-server.js';
import { createStyrminWorker } from '../runtime/styrmin-worker.js';
import type { LoadedDriver } from '../driver-spec/load.js';

/** A running benchmark environment; `close` stops everything it started. */
export interface BenchEnvironment {
  temporal: TestWorkflowEnvironment;
  sim: KubeSim;
  taskQueue: string;
  /** Task queue of the floor workflows' worker. */
  floorTaskQueue: string;
  /** Runs `fn` while both workers serve their task queues. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startBenchEnvironment(drivers: LoadedDriver[]): Promise<BenchEnvironment> {
  const temporal = await startThrowawayDevServer();
  const sim = await startKubeSim();
  const taskQueue = `styrmin-bench-${randomUUID().slice(0, 8)}`;
  const floorTaskQueue = `floor-${randomUUID().slice(0, 8)}`;
  let worker: Worker;
  let floorWorker: Worker;
  try {
    floorWorker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: floorTaskQueue,
      workflowsPath: fileURLToPath(new URL('./floor-workflows.ts', import.meta.url)),
    });
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
    floorTaskQueue,
    withWorker: (fn) => worker.runUntil(floorWorker.runUntil(fn())),
    async close() {
      await temporal.teardown();
      await sim.close();
    },
  };
}
