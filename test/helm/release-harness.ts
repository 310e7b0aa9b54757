/**
 * What the releaseChart tests share: a test cluster (the simulator, or the real cluster of
 * `STYRMIN_TEST_KUBECONFIG`), a chart repository serving the example-app chart at two versions,
 * the activity run as Temporal would, and helm's view of a release.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type * as activity from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { findHelm } from '../../activities/helm/binary.js';
import { createHelmActivities } from '../../activities/helm/index.js';
import { loadDriver, type LoadedDriver } from '../../driver-spec/load.js';
import { type ReleaseChartInput, type ReleaseChartResult } from '../../contract/release.js';
import { onSim, startTestCluster, type TestCluster } from '../support/cluster.js';
import { NEVER_READY_ANNOTATION } from '../../kubesim/index.js';
import { startChartRepo, type ChartRepo } from '../../runtime/chart-repository.js';
import { exampleChartDir, exampleContext, exampleDriverDir, type ExampleRun } from './example-context.js';

/** A chart and app version to release. */
export interface ChartRelease {
  chartVersion: string;
  appVersion: string;
}

/**
 * The image and versions the example-app chart runs. The simulator runs no containers, so the chart's
 * own image will do; a real cluster must pull and run it, so there the chart copy uses busybox (its tags
 * are the app versions) and the components run a sleep loop that exits at once on SIGTERM.
 */
export const chartImage = onSim
  ? { repository: 'registry.example.com/example-app', v1: '1.0.0', v11: '1.1.0', command: undefined }
  : {
      repository: 'busybox',
      v1: '1.36.0',
      v11: '1.36.1',
      command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
    };

/**
 * Pods that never become ready, on any cluster: the simulator's never-ready annotation (which the
 * kwok cluster of scripts/real-cluster.sh honours too) and, for a real kubelet, a container that
 * exits 1 at once, so it crash-loops.
 */
export const neverReadyPods = {
  podAnnotations: { [NEVER_READY_ANNOTATION]: 'true' },
  componentCommand: ['sh', '-c', 'echo crashing >&2; exit 1'],
};

export const v1: ChartRelease = { chartVersion: '1.0.0', appVersion: chartImage.v1 };
export const v11: ChartRelease = { chartVersion: '1.1.0', appVersion: chartImage.v11 };

/** Jest timeout of a test that releases: image pulls on a real cluster take longer. */
export const releaseTestTimeoutMs = onSim ? 90_000 : 400_000;

/** The chart folder to publish: the example chart, or on a real cluster a copy using `chartImage`. */
function chartDir(): string {
  if (onSim) return exampleChartDir;
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-chart-')), 'example-app');
  fs.cpSync(exampleChartDir, copy, { recursive: true });
  const valuesFile = path.join(copy, 'values.yaml');
  const values = fs.readFileSync(valuesFile, 'utf8').replace(/^(\s+repository:).*$/m, `$1 ${chartImage.repository}`);
  fs.writeFileSync(valuesFile, values);
  return copy;
}

/** A running cluster plus chart repository for one test file. */
export interface ReleaseHarness {
  cluster: TestCluster;
  repo: ChartRepo;
  /** The example-app driver, as the worker would have loaded it. */
  drivers: LoadedDriver[];
  close(): Promise<void>;
}

/** Starts the test cluster and the chart repository (example-app at `v1` and `v11`). */
export async function startReleaseHarness(): Promise<ReleaseHarness> {
  const dir = chartDir();
  const [cluster, repo, driver] = await Promise.all([
    startTestCluster(),
    startChartRepo({ charts: [v1, v11].map((v) => ({ dir, version: v.chartVersion, appVersion: v.appVersion })) }),
    loadDriver(exampleDriverDir),
  ]);
  return {
    cluster,
    repo,
    drivers: [driver],
    close: async () => void (await Promise.all([cluster.close(), repo.close()])),
  };
}

/** The activity input for one run of the example-app driver. */
export function releaseInput(
  h: ReleaseHarness,
  hook: 'setup' | 'upgrade',
  run: Omit<ExampleRun, 'repoUrl'>,
  extra: Partial<ReleaseChartInput> = {},
): ReleaseChartInput {
  const context = exampleContext({
    ...run,
    repoUrl: h.repo.url,
    componentCommand: run.componentCommand ?? chartImage.command,
  });
  return { deploymentId: run.namespace, hook, context, ...extra };
}

/** Runs the activity as Temporal would, collecting its heartbeats and log entries. */
export function releaseEnv(h: ReleaseHarness, pendingStaleAfterSeconds?: number, info: Partial<activity.Info> = {}) {
  const logs: LogEntry[] = [];
  const logger = new DefaultLogger('INFO', (entry) => logs.push(entry));
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000, ...info }, { logger });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  const { releaseChart } = createHelmActivities({
    kubeConfig: h.cluster.kubeConfig,
    drivers: h.drivers,
    pendingStaleAfterSeconds,
  });
  const release = (input: ReleaseChartInput) => env.run(releaseChart, input) as Promise<ReleaseChartResult>;
  return { env, heartbeats, logs, release };
}

/** Runs the real helm against the test cluster. */
export async function helm(h: ReleaseHarness, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(findHelm(), [...args, '--kubeconfig', h.cluster.kubeconfigPath]);
  return stdout;
}

/** The release's revisions as helm lists them (the release is named after its namespace). */
export async function history(
  h: ReleaseHarness,
  release: string,
): Promise<Array<{ revision: number; status: string }>> {
  const rows = JSON.parse(await helm(h, ['history', release, '-n', release, '-o', 'json'])) as Array<{
    revision: number;
    status: string;
  }>;
  return rows.map(({ revision, status }) => ({ revision, status }));
}

/** Polls `probe` until it yields a value (errors count as not yet); fails with `what` after the timeout. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A Deployment of the release, read through the Kubernetes API. */
export async function readDeployment(h: ReleaseHarness, namespace: string, name: string) {
  return h.cluster.apps.readNamespacedDeployment({ namespace, name });
}
