/** One bundle per test file, one worker and task queue per test, all on the real dev server. */
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadDrivers, type LoadedDriver } from '../../driver-spec/load.js';
import { bundleLifecycleWorkflows } from '../../runtime/bundle.js';
import type { ContextDefaults } from '../../activities/run/context.js';
import { createStyrminWorker, quietWorkers, type StyrminWorkerOptions } from '../../runtime/styrmin-worker.js';
import { connectToTestServer, uniqueName, type TemporalTestConnections } from '../support/temporal.js';

export const fixtureDrivers = fileURLToPath(new URL('../fixtures/drivers', import.meta.url));
export const exampleDrivers = fileURLToPath(new URL('../../drivers', import.meta.url));

export interface EngineHarness {
  temporal: TemporalTestConnections;
  /** The cluster the runs use: STYRMIN_TEST_KUBECONFIG's, else a Kubernetes API test server. */
  kubeConfig: () => KubeConfig;
  sim?: KubeSim;
  drivers: LoadedDriver[];
  bundle: WorkflowBundleWithSourceMap;
  /** Runs `fn` while a fresh worker serves a fresh task queue. */
  withWorker<T>(fn: (taskQueue: string) => Promise<T>, extra?: Partial<StyrminWorkerOptions>): Promise<T>;
  close(): Promise<void>;
}

/** What a harness's workers use instead of their own cluster: the example environment, say. */
export interface HarnessOptions {
  kubeConfig?: KubeConfig;
  defaults?: ContextDefaults;
}

/** Connects to the dev server, loads and bundles the drivers once, and starts a cluster unless given one. */
export async function startHarness(
  driverDirs: string[] = [path.join(fixtureDrivers)],
  options: HarnessOptions = {},
): Promise<EngineHarness> {
  quietWorkers();
  const temporal = await connectToTestServer();
  const realCluster = process.env.STYRMIN_TEST_KUBECONFIG;
  const sim = realCluster || options.kubeConfig ? undefined : await startKubeSim({ readyDelayMs: 100 });
  const kc = options.kubeConfig ?? new KubeConfig();
  if (!options.kubeConfig) kc.loadFromFile(realCluster ?? sim!.kubeconfigPath);
  const drivers = await loadDrivers(driverDirs);
  const bundle = await bundleLifecycleWorkflows(drivers);
  return {
    temporal,
    kubeConfig: () => kc,
    sim,
    drivers,
    bundle,
    async withWorker(fn, extra = {}) {
      const taskQueue = uniqueName('styrmin-test');
      const worker = await createStyrminWorker({
        connection: temporal.nativeConnection,
        client: temporal.client,
        taskQueue,
        drivers,
        workflowBundle: bundle,
        kubeConfig: () => kc,
        defaults: options.defaults,
        ...extra,
      });
      return worker.runUntil(fn(taskQueue));
    },
    async close() {
      await temporal.close();
      await sim?.close();
    },
  };
}
