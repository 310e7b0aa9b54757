/**
 * The test harness for drivers (`styrmin/testing`): starts what a run needs, runs `setup` and
 * `upgrade` of the driver with the inputs a test gives, and hands the test the outcome (result or
 * failure, progress, deployment record) and a Kubernetes client to assert on.
 *
 * What it starts, unless told to use one already there: a Temporal dev server (the `temporal` CLI
 * that scripts/install-tools.sh installs), the Kubernetes API test server (kubesim, whose pods
 * become ready on their own and whose exec runs commands as local processes), a chart repository
 * serving the driver's `chart/` folder when its spec names an HTTP(S) repository, and a worker
 * serving the driver. `npx styrmin driver test <dir>` runs a driver's tests with it.
 *
 * @example
 * import { after, before, test } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { startDriverTest, type DriverTest } from 'styrmin/testing';
 *
 * let driver: DriverTest;
 * before(async () => (driver = await startDriverTest(import.meta.dirname)));
 * after(() => driver?.close());
 *
 * test('setup installs it', async () => {
 *   const setup = await driver.setup({ parameters: { replicas: 2 } });
 *   assert.equal(setup.status, 'succeeded', setup.failure);
 * });
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { readDeploymentRecord } from '../activities/record/store.js';
import { getProgress, startSetup, startUpgrade } from '../client.js';
import type { SetupInput, UpgradeInput } from '../contract/lifecycle.js';
import type { RunProgress, RunResult } from '../contract/progress.js';
import type { DeploymentRecord } from '../contract/record.js';
import { loadDriver } from '../driver-spec/load.js';
import { processExecHandler } from '../kubesim/exec/process-handler.js';
import { startKubeSim, type KubeSim } from '../kubesim/index.js';
import { cachedLifecycleBundle, defaultBundleCacheDir } from '../runtime/bundle.js';
import { bundleCacheDirFromEnv } from '../runtime/config.js';
import { startChartRepo, type ChartRepo } from '../runtime/chart-repository.js';
import { startThrowawayDevServer } from '../runtime/dev-server.js';
import { createStyrminWorker, quietWorkers } from '../runtime/styrmin-worker.js';

export type { RunProgress, RunResult } from '../contract/progress.js';
export type { DeploymentRecord } from '../contract/record.js';

/** Where a driver test runs. */
export interface DriverTestOptions {
  /**
   * The cluster to run against. @default STYRMIN_TEST_KUBECONFIG, else a Kubernetes API test
   * server started for the test (never KUBECONFIG: a test must not touch a cluster by accident)
   */
  kubeconfig?: string;
  /** A Temporal frontend to use (namespace `default`). @default a dev server started for the test */
  temporalAddress?: string;
  /** Folders searched first for the commands `executeCommands` runs on the test server. */
  commandsPath?: string[];
  /** Test server only: how long a new pod takes to become ready, in ms. @default 200 */
  readyDelayMs?: number;
  /**
   * On a given cluster, keep the namespaces `setup` named itself (for deployments it named) when the
   * harness closes, to look at them afterwards. @default false: they are deleted (the test server goes anyway)
   */
  keepNamespaces?: boolean;
}

/** How a run ended, and what it left. */
export interface RunOutcome {
  workflowId: string;
  deploymentId: string;
  namespace: string;
  status: 'succeeded' | 'failed';
  /** The run's result, when it succeeded. */
  result?: RunResult;
  /** Why it failed: the failure's message and its causes, one per line. */
  failure?: string;
  /** Each mode and action with its state, as `styrmin progress` shows them. */
  progress: RunProgress;
  /** The deployment record after the run (undefined when none was written). */
  record?: DeploymentRecord;
}

/** Inputs of a test's runs: the deployment, driver and namespace are filled in when left out. */
export type SetupRequest = Partial<SetupInput>;
export type UpgradeRequest = Partial<UpgradeInput> & { targetVersion: string };

/** A started harness for one driver. */
export interface DriverTest {
  driver: { name: string; version: string; dir: string };
  client: Client;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  /**
   * Runs `setup`; of a new deployment unless the request names one: `<driver>-<n>-<process id>`,
   * in a namespace of the same name.
   */
  setup(request?: SetupRequest): Promise<RunOutcome>;
  /** Runs `upgrade`, by default of the deployment the last `setup` created. */
  upgrade(request: UpgradeRequest): Promise<RunOutcome>;
  /** What an action of the run returned (its child workflow's result). */
  actionResult(run: RunOutcome, action: string): Promise<unknown>;
  /** The deployment record as it is now. */
  record(deploymentId: string, namespace?: string): Promise<DeploymentRecord | undefined>;
  /** Stops the worker and everything the harness started; on a given cluster, deletes the namespaces setup named. */
  close(): Promise<void>;
}

/** Starts what a run of the driver in `driverDir` needs; see the module's comment. */
export async function startDriverTest(driverDir: string, options: DriverTestOptions = {}): Promise<DriverTest> {
  const dir = path.resolve(driverDir);
  const driver = await loadDriver(dir);
  const stops: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    quietWorkers();
    const { kubeConfig, sim } = await cluster(options);
    if (sim) stops.push(() => sim.close());
    const chartLocations = await chartRepository(driver.spec.spec.helm?.main.location, dir, stops);
    const temporal = await temporalServer(options.temporalAddress, stops);
    const taskQueue = `driver-test-${driver.name}-${process.pid}`;
    const { bundle } = await cachedLifecycleBundle([driver], bundleCacheDirFromEnv() ?? defaultBundleCacheDir);
    const worker = await createStyrminWorker({
      connection: temporal.nativeConnection,
      client: temporal.client,
      taskQueue,
      drivers: [driver],
      workflowBundle: bundle,
      kubeConfig: () => kubeConfig,
      defaults: { chartLocations: chartLocations ? { [driver.name]: chartLocations } : {} },
    });
    const running = worker.run();
    // Rejects if the worker stops before the harness closes, so that a test waiting on a run fails
    // saying why instead of waiting for ever.
    const workerDown = running.then(
      () => Promise.reject(new Error(`the worker serving ${driver.name} stopped`)),
      (err: Error) => Promise.reject(new Error(`the worker serving ${driver.name} failed: ${err.message}`)),
    );
    workerDown.catch(() => undefined); // awaited by each run's outcome
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    });

    const { client } = temporal;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    let deployments = 0;
    let lastSetup: { deploymentId: string; namespace: string } | undefined;
    const namespacesMade = new Set<string>();
    if (!sim && !options.keepNamespaces)
      stops.push(() =>
        Promise.all([...namespacesMade].map((name) => core.deleteNamespace({ name }).catch(() => undefined))),
      );
    // A DNS label (the deployment id is also the release's name and the namespace's) short enough
    // for Helm's 53 characters, whatever the driver's name.
    const idStem =
      driver.name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .slice(0, 30)
        .replace(/^-+|-+$/g, '') || 'driver';
    const record = async (deploymentId: string, namespace = deploymentId) =>
      (await readDeploymentRecord(kubeConfig, { deploymentId, namespace })) ?? undefined;
    const outcome = async (workflowId: string, deploymentId: string, namespace: string): Promise<RunOutcome> => {
      const handle = client.workflow.getHandle(workflowId);
      const ended: Pick<RunOutcome, 'status' | 'result' | 'failure'> = await Promise.race([
        handle.result().then(
          (result: RunResult) => ({ status: 'succeeded' as const, result }),
          (err: unknown) => ({ status: 'failed' as const, failure: failureText(err) }),
        ),
        workerDown,
      ]);
      const progress = ended.result?.progress ?? (await getProgress(client, workflowId));
      return { workflowId, deploymentId, namespace, ...ended, progress, record: await record(deploymentId, namespace) };
    };
    return {
      driver: { name: driver.name, version: driver.version, dir },
      client,
      kubeConfig,
      core,
      apps: kubeConfig.makeApiClient(AppsV1Api),
      async setup(request = {}) {
        const deploymentId = request.deploymentId ?? `${idStem}-${++deployments}-${process.pid}`;
        const input: SetupInput = { driver: driver.name, namespace: deploymentId, ...request, deploymentId };
        lastSetup = { deploymentId, namespace: input.namespace };
        // Only a namespace the harness named itself is its to delete.
        if (request.namespace === undefined && request.deploymentId === undefined) namespacesMade.add(deploymentId);
        const run = await startSetup(client, input, { taskQueue });
        return outcome(run.workflowId, deploymentId, input.namespace);
      },
      async upgrade(request) {
        const deploymentId = request.deploymentId ?? lastSetup?.deploymentId;
        if (!deploymentId) throw new Error('upgrade: name the deploymentId, or run a setup first');
        const namespace = request.namespace ?? (request.deploymentId ? deploymentId : lastSetup!.namespace);
        const input: UpgradeInput = { driver: driver.name, ...request, deploymentId, namespace };
        const run = await startUpgrade(client, input, { taskQueue });
        return outcome(run.workflowId, deploymentId, namespace);
      },
      async actionResult(run, action) {
        const step = run.progress.modes.flatMap((mode) => mode.actions).find((a) => a.name === action);
        if (!step) throw new Error(`the ${run.workflowId} run has no action "${action}"`);
        return client.workflow.getHandle(step.workflowId).result();
      },
      record,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The given cluster, else the Kubernetes API test server. */
async function cluster(options: DriverTestOptions): Promise<{ kubeConfig: KubeConfig; sim?: KubeSim }> {
  const kubeconfig = options.kubeconfig ?? process.env.STYRMIN_TEST_KUBECONFIG;
  if (kubeconfig) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfig);
    return { kubeConfig };
  }
  const sim = await startKubeSim({ readyDelayMs: options.readyDelayMs ?? 200 });
  sim.setExecHandler(processExecHandler(60_000, { path: options.commandsPath?.map((p) => path.resolve(p)) }));
  return { kubeConfig: sim.kubeConfig(), sim };
}

/** Serves the driver's `chart/` folder when its chart comes from an HTTP(S) repository; its URL. */
async function chartRepository(
  location: string | undefined,
  dir: string,
  stops: Array<() => Promise<unknown>>,
): Promise<string | undefined> {
  const chartDir = path.join(dir, 'chart');
  if (!location || !/^https?:\/\//.test(location) || !existsSync(path.join(chartDir, 'Chart.yaml'))) return undefined;
  const repository: ChartRepo = await startChartRepo({ charts: [{ dir: chartDir }] });
  stops.push(() => repository.close());
  // The chart's name in the repository stays the one the location names (its #fragment).
  const fragment = location.split('#')[1];
  return fragment ? `${repository.url}#${fragment}` : repository.url;
}

interface TemporalConnections {
  client: Client;
  nativeConnection: NativeConnection;
}

/** A connection to the given frontend, else to a dev server started with Styrmin's search attributes. */
async function temporalServer(
  address: string | undefined,
  stops: Array<() => Promise<unknown>>,
): Promise<TemporalConnections> {
  if (address) {
    const connection = await Connection.connect({ address });
    const nativeConnection = await NativeConnection.connect({ address });
    stops.push(
      () => connection.close(),
      () => nativeConnection.close(),
    );
    return { client: new Client({ connection }), nativeConnection };
  }
  const env = await startThrowawayDevServer();
  stops.push(() => env.teardown());
  return { client: env.client, nativeConnection: env.nativeConnection };
}

/** A failure's message and its causes', one per line. */
function failureText(err: unknown): string {
  const lines: string[] = [];
  let current: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  while (current instanceof Error) {
    lines.push(current.message);
    current = current.cause;
  }
  return lines.join('\n') || String(err);
}
