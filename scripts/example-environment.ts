/**
 * Where the example driver runs locally: the cluster in KUBECONFIG, or else the Kubernetes API
 * test server, plus an HTTP chart repository on 127.0.0.1 serving the example chart. Used by the
 * quick start and by the end-to-end tests.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../activities/kubernetes/kubeconfig.js';
import { startKubeSim, type KubeSim } from '../kubesim/index.js';
import { processExecHandler } from '../kubesim/exec/process-handler.js';
import { startChartRepo } from '../runtime/chart-repository.js';

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const exampleChart = path.join(repoRoot, 'drivers', 'example-app', 'chart');

/** A cluster and a chart repository for the example driver. */
export interface ExampleEnvironment {
  kubeConfig: KubeConfig;
  /** Path of the kubeconfig the worker and helm use. */
  kubeconfigPath: string;
  /** Set when no cluster was configured and the test server stands in for one. */
  sim?: KubeSim;
  /** URL of the chart repository serving the example chart. */
  chartRepositoryUrl: string;
  close(): Promise<void>;
}

/**
 * The example application's own command line, as its image would ship it (`example-app migrate
 * --to <version>`): a script that the test server's pods and the real-cluster tier's kwok both run.
 */
export const exampleAppExecPath = path.join(repoRoot, 'scripts', 'real-cluster', 'exec-path');

function configuredKubeconfig(explicit: string | undefined, lookAround: boolean): string | undefined {
  const candidates = lookAround
    ? [explicit, process.env.KUBECONFIG, path.join(homedir(), '.kube', 'config')]
    : [explicit];
  return candidates.find((file): file is string => Boolean(file) && existsSync(file!));
}

/** Where the example environment runs. */
export interface ExampleEnvironmentOptions {
  /** The cluster to use. */
  kubeconfigPath?: string;
  /** Also use KUBECONFIG or ~/.kube/config when no path is given; tests say false, so they never touch a developer's cluster. @default true */
  useConfiguredCluster?: boolean;
  /** Test server only: how long a new pod takes to become ready. */
  readyDelayMs?: number;
}

/** Uses the given or configured cluster, else starts the test server; serves the chart. */
export async function startExampleEnvironment(options: ExampleEnvironmentOptions = {}): Promise<ExampleEnvironment> {
  const configured = configuredKubeconfig(options.kubeconfigPath, options.useConfiguredCluster ?? true);
  let sim: KubeSim | undefined;
  let kubeconfigPath: string;
  if (configured) {
    kubeconfigPath = configured;
  } else {
    sim = await startKubeSim({ readyDelayMs: options.readyDelayMs ?? 500 });
    sim.setExecHandler(processExecHandler(60_000, { path: [exampleAppExecPath] }));
    kubeconfigPath = sim.kubeconfigPath;
  }
  const kubeConfig = configured
    ? loadKubeConfig({ env: { ...process.env, KUBECONFIG: configured } })
    : sim!.kubeConfig();
  const charts = await startChartRepo({ charts: [{ dir: exampleChart }] });
  return {
    kubeConfig,
    kubeconfigPath,
    sim,
    chartRepositoryUrl: charts.url,
    async close() {
      await charts.close();
      await sim?.close();
    },
  };
}
