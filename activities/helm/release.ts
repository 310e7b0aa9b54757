/**
 * The Helm release step: wait for one of the worker's Helm slots, render the values, recover a
 * release a dead client left pending, then `helm upgrade --install --wait` with the workloads
 * Styrmin stopped kept stopped; on failure roll back or keep the failed revision. Helm reaches the
 * API server through a proxy that retries transient faults request by request (api-proxy.ts).
 * docs/release.md explains each rule.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { KubeConfig } from '@kubernetes/client-node';
import { FailureType } from '../../contract/failures.js';
import type { ReleaseChartInput, ReleaseChartResult } from '../../contract/release.js';
import type { RunContext } from '../../contract/run-context.js';
import type { LoadedDriver } from '../../driver-spec/load.js';
import { findDriverRevision, missingDriverMessage } from '../../driver-spec/revisions.js';
import { chartSource } from './chart.js';
import { prepareRelease, releaseFailure, type ReleaseStep } from './recovery.js';
import { latestRevision, releaseHistory, releaseManifest, revisionValues } from './history.js';
import { keepStopped, stopAgainAfterRollback } from './keep-stopped.js';
import { kubeClients } from '../kubernetes/workloads.js';
import { createHelmWorkdir, outputTail, runHelm, type HelmWorkdir } from './binary.js';
import { startApiProxy, type ApiProxy, type ApiProxyOptions, type ProxyStats } from './api-proxy.js';
import type { HelmSlot, HelmSlots } from './slots.js';
import { sortedKeys } from './values-filters.js';
import { renderValues } from './values.js';
import { withSecretValues } from '../secrets/store.js';

/** Dependencies of the release step. */
export interface ReleaseDeps {
  /** The cluster connection; called per activity. */
  kubeConfig: () => KubeConfig;
  /** The drivers the worker loaded: the step finds the run's driver folder (chart, values template) among them. */
  drivers: LoadedDriver[];
  /** Age after which a pending revision counts as abandoned by a dead helm. @default the step's timeout + 60 */
  pendingStaleAfterSeconds?: number;
  /** The worker's bound on release steps running at once. */
  slots: HelmSlots;
  /** How the proxy in front of the API server retries; tests shorten it. */
  proxy?: ApiProxyOptions;
}

/** What the step reports in its heartbeat: shown in Temporal Web under the pending activity. */
export interface ReleaseHeartbeat {
  release: string;
  step: string;
  /** API requests helm made and the retries that hid transient faults from it. */
  api?: ProxyStats;
}

const releaseName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidDriver, nonRetryable: true, message });
}

/**
 * The run's driver revision as this worker loaded it. The run's history names the driver by name
 * and version only, so a run resumes on any worker that loaded the same revision.
 */
function runDriver(drivers: LoadedDriver[], context: RunContext): LoadedDriver {
  const { name, version } = context.driver;
  const driver = findDriverRevision(drivers, name, version);
  if (driver) return driver;
  throw invalid(`${missingDriverMessage(drivers, name, version)}; deploy the driver with the worker`);
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
    throw invalid(
      `release name "${release}" must be a DNS label of at most 53 characters (deployment "${input.deploymentId}")`,
    );
  }
  const timeoutSeconds = input.timeoutSeconds ?? 300;
  const onFailure = input.onFailure ?? (hook === 'upgrade' ? 'rollback' : 'keep');
  const driver = runDriver(deps.drivers, context);
  const driverDir = driver.dir;
  // The values template sees secret parameters' values, read from the deployment's Secret.
  const values = await renderValues(driverDir, await withSecretValues(deps.kubeConfig(), driver.spec, context));
  const source = chartSource(context.app.chart, context.app.name, driverDir);
  const chartRef = `${source.chartName}-${source.version}`;
  let step = 'waiting for a Helm slot';
  let proxy: ApiProxy | undefined;
  let workdir: HelmWorkdir | undefined;
  const heartbeat = () => ctx.heartbeat({ release, step, api: proxy?.stats } satisfies ReleaseHeartbeat);
  const slot = await waitForSlot(deps.slots, ctx, (s) => (step = s), heartbeat);
  // Heartbeats go on through the whole step, not only while helm runs: the API reads between helm
  // calls may wait out a busy server's Retry-After, and a missed heartbeat timeout would start a
  // second attempt beside this one.
  const ticker = setInterval(heartbeat, 2_000);
  try {
    const kc = deps.kubeConfig();
    proxy = await startApiProxy(kc, deps.proxy);
    const kubeconfigPath = (workdir = createHelmWorkdir(proxy.kubeconfig)).kubeconfigPath;
    step = 'reading the release history';
    const helm = (args: string[], log = false) =>
      runHelm(args, {
        kubeconfigPath,
        signal: ctx.cancellationSignal,
        deadlineMs: (timeoutSeconds + 120) * 1000,
        onOutput: log
          ? (r) =>
              ctx.log.info(`helm ${args[0]} ${release}: exit ${r.code ?? r.signal}`, {
                stdout: r.stdout,
                stderr: r.stderr,
              })
          : undefined,
      });
    const clients = kubeClients(kc);
    const stopAgain = () => stopAgainAfterRollback(clients, { release, namespace, timeoutSeconds });
    const stepOf: ReleaseStep = {
      release,
      namespace,
      timeoutSeconds,
      helm,
      setStep: (s) => (step = s),
      stopAgain,
      ctx,
    };
    heartbeat();
    // From the second attempt on, a pending revision started since the step was scheduled is an
    // earlier attempt's, whose helm was told to stop: it gets seconds, not the stale window (recovery.ts).
    const abandonedSinceMs = ctx.info.attempt > 1 ? ctx.info.scheduledTimestampMs : undefined;
    const staleAfterMs = (deps.pendingStaleAfterSeconds ?? timeoutSeconds + 60) * 1000;
    const recovered = await prepareRelease(stepOf, staleAfterMs, abandonedSinceMs);
    const history = await releaseHistory(helm, release, namespace);
    const latest = latestRevision(history);
    if (latest?.status === 'deployed' && latest.chart === chartRef) {
      const current = await revisionValues(helm, release, namespace, latest.revision);
      if (canonical(current) === canonical(values)) {
        ctx.log.info(`release ${release} already at revision ${latest.revision} with ${chartRef} and the same values`);
        return {
          release,
          namespace,
          revision: latest.revision,
          status: latest.status,
          chart: source.chartName,
          chartVersion: source.version,
          appVersion: latest.appVersion,
          action: 'unchanged',
          output: '',
          recovered,
          keptStopped: [],
        };
      }
    }
    step = `${history.length ? 'upgrading' : 'installing'} to ${chartRef}`;
    const valuesFile = workdir.writeFile('values.json', JSON.stringify(values));
    const currentManifest = async () => (history.length ? releaseManifest(helm, release, namespace) : '');
    const kept = await keepStopped({ clients, release, namespace, workdir, currentManifest });
    if (kept.names.length)
      ctx.log.info(
        `release ${release}: keeping stopped workloads stopped (replicas 0, CronJobs suspended): ${kept.names.join(', ')}`,
      );
    const result = await helm(
      [
        'upgrade',
        '--install',
        release,
        ...source.args,
        '--namespace',
        namespace,
        '--values',
        valuesFile,
        '--wait',
        '--timeout',
        `${timeoutSeconds}s`,
        '--history-max',
        '10',
        ...kept.helmArgs,
      ],
      true,
    );
    // Cancelled while helm worked: a release helm still finished is live, and the run must record
    // that; otherwise the step ends cancelled.
    const cancelled = ctx.cancellationSignal.aborted;
    if (cancelled && result.code !== 0) await ctx.cancelled; // rethrows the cancellation
    if (result.code !== 0) throw await releaseFailure(stepOf, { result, chartRef, onFailure, hook });
    if (cancelled) ctx.log.warn(`release ${release}: cancelled after helm finished; reporting the release as done`);
    const after = cancelled ? undefined : latestRevision(await releaseHistory(helm, release, namespace));
    return {
      release,
      namespace,
      revision: after?.revision ?? (latest?.revision ?? 0) + 1,
      status: after?.status ?? 'deployed',
      chart: source.chartName,
      chartVersion: source.version,
      appVersion: after?.appVersion ?? '',
      action: history.length ? 'upgraded' : 'installed',
      output: outputTail(result, 4000),
      recovered,
      keptStopped: kept.names,
    };
  } finally {
    clearInterval(ticker);
    workdir?.dispose();
    await proxy?.close();
    slot.release();
    if (proxy && Object.keys(proxy.stats.retried).length) {
      const { requests, retried, gaveUp } = proxy.stats;
      ctx.log.warn(
        `release ${release}: API faults hidden from helm: ${JSON.stringify(retried)} retries over ${requests} requests; ${gaveUp} still failing when their retry budget ran out`,
      );
    }
  }
}

/** Takes one of the worker's Helm slots, heartbeating while it waits so Temporal Web shows the wait. */
async function waitForSlot(
  slots: HelmSlots,
  ctx: Context,
  setStep: (step: string) => void,
  heartbeat: () => void,
): Promise<HelmSlot> {
  let ticker: NodeJS.Timeout | undefined;
  try {
    return await slots.acquire(ctx.cancellationSignal, (ahead) => {
      setStep(
        `waiting for a Helm slot: all ${slots.limit} of this worker's are in use` +
          (ahead ? `, ${ahead} step${ahead === 1 ? '' : 's'} ahead` : ''),
      );
      ctx.log.info(`release waiting for a Helm slot (${slots.limit} in use, ${ahead} ahead)`);
      heartbeat();
      ticker = setInterval(heartbeat, 5_000);
    });
  } finally {
    clearInterval(ticker);
  }
}
