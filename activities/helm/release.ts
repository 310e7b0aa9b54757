/**
 * The Helm release step: render the values, recover a release a dead client left pending, then
 * `helm upgrade --install --wait`; on failure roll back or keep the failed revision.
 * docs/release.md explains each rule.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { KubeConfig } from '@kubernetes/client-node';
import { FailureType } from '../../contract/failures.js';
import type { Hook, RunContext } from '../../contract/lifecycle.js';
import { chartSource } from './chart.js';
import { prepareRelease, releaseFailure, type ReleaseStep } from './recovery.js';
import { latestRevision, releaseHistory, revisionValues } from './history.js';
import { createHelmWorkdir, outputTail, runHelm } from './binary.js';
import { sortedKeys } from './values-filters.js';
import { renderValues } from './values.js';

/** Input of {@link releaseChart}. */
export interface ReleaseChartInput {
  deploymentId: string;
  hook: Hook;
  context: RunContext;
  /** How long helm may wait for the release to become ready. @default 300 */
  timeoutSeconds?: number;
  /** What a failed step leaves behind. @default 'rollback' on upgrade, 'keep' on setup */
  onFailure?: 'rollback' | 'keep';
}

/** What {@link releaseChart} did. */
export interface ReleaseChartResult {
  release: string;
  namespace: string;
  revision: number;
  status: string;
  chart: string;
  chartVersion: string;
  appVersion: string;
  action: 'installed' | 'upgraded' | 'unchanged';
  /** helm's own output of the install or upgrade (empty when unchanged). */
  output: string;
  /** What was done first about a release left pending by a dead client, if anything. */
  recovered?: string;
}

/** Dependencies of the release step and the record activities. */
export interface ReleaseDeps {
  /** The cluster connection, e.g. `loadKubeConfig` from activities/kube.ts; called per activity. */
  kubeConfig: () => KubeConfig;
  /** Age after which a pending revision counts as abandoned by a dead helm. @default the step's timeout + 60 */
  pendingStaleAfterSeconds?: number;
}

const releaseName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidDriver, nonRetryable: true, message });
}

/** Stable JSON of plain data (sorted keys), so two value sets compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, sortedKeys);
}

/** Installs or upgrades the deployment's Helm release to the run's chart, version and values. */
export async function releaseChart(deps: ReleaseDeps, input: ReleaseChartInput): Promise<ReleaseChartResult> {
  const ctx = Context.current();
  const { context, hook } = input;
  const { release, namespace } = context.instance;
  if (!context.app.chart) throw invalid(`driver "${context.driver.name}" declares no chart (spec.helm.main)`);
  if (!releaseName.test(release) || release.length > 53) {
    throw invalid(`release name "${release}" must be a DNS label of at most 53 characters (deployment "${input.deploymentId}")`);
  }
  const timeoutSeconds = input.timeoutSeconds ?? 300;
  const onFailure = input.onFailure ?? (hook === 'upgrade' ? 'rollback' : 'keep');
  const values = await renderValues(context.driver.dir, context);
  const source = chartSource(context.app.chart, context.app.name, context.driver.dir);
  const chartRef = `${source.chartName}-${source.version}`;
  const workdir = createHelmWorkdir(deps.kubeConfig());
  let step = 'reading the release history';
  const helm = (args: string[], log = false) =>
    runHelm(args, {
      kubeconfigPath: workdir.kubeconfigPath,
      signal: ctx.cancellationSignal,
      onHeartbeat: () => ctx.heartbeat({ release, step }),
      deadlineMs: (timeoutSeconds + 120) * 1000,
      onOutput: log ? (r) => ctx.log.info(`helm ${args[0]} ${release}: exit ${r.code ?? r.signal}`, { stdout: r.stdout, stderr: r.stderr }) : undefined,
    });
  const stepOf: ReleaseStep = { release, namespace, timeoutSeconds, helm, setStep: (s) => (step = s), ctx };
  try {
    ctx.heartbeat({ release, step });
    const recovered = await prepareRelease(stepOf, (deps.pendingStaleAfterSeconds ?? timeoutSeconds + 60) * 1000);
    const history = await releaseHistory(helm, release, namespace);
    const latest = latestRevision(history);
    if (latest?.status === 'deployed' && latest.chart === chartRef) {
      const current = await revisionValues(helm, release, namespace, latest.revision);
      if (canonical(current) === canonical(values)) {
        ctx.log.info(`release ${release} already at revision ${latest.revision} with ${chartRef} and the same values`);
        return { release, namespace, revision: latest.revision, status: latest.status, chart: source.chartName,
          chartVersion: source.version, appVersion: latest.appVersion, action: 'unchanged', output: '', recovered };
      }
    }
    step = `${history.length ? 'upgrading' : 'installing'} to ${chartRef}`;
    const valuesFile = workdir.writeFile('values.json', JSON.stringify(values));
    const result = await helm(['upgrade', '--install', release, ...source.args, '--namespace', namespace, '--values', valuesFile,
      '--wait', '--timeout', `${timeoutSeconds}s`, '--history-max', '10'], true);
    if (ctx.cancellationSignal.aborted) await ctx.cancelled; // rethrows the cancellation
    if (result.code !== 0) throw await releaseFailure(stepOf, { result, chartRef, onFailure, hook });
    const after = latestRevision(await releaseHistory(helm, release, namespace));
    return { release, namespace, revision: after?.revision ?? 0, status: after?.status ?? 'unknown', chart: source.chartName,
      chartVersion: source.version, appVersion: after?.appVersion ?? '', action: history.length ? 'upgraded' : 'installed',
      output: outputTail(result, 4000), recovered };
  } finally {
    workdir.dispose();
  }
}
