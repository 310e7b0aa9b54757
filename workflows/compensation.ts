/**
 * What a run puts back when it does not complete. Before its first mode, the run notes which
 * workloads of the driver's components a stop had already left stopped; when it fails, is aborted
 * or is cancelled, it starts again, latest stop first, the components its own actions stopped and
 * did not start (CronJobs are resumed), in a scope that cancellation does not reach. It then notes
 * what it put back, what it could not, and what is still stopped, for its account.
 *
 * The cluster is the memory: stops annotate the workloads they stop (activities/kubernetes/scale.ts),
 * so a stop cut short by a crash or a cancellation is put back as well.
 */
import { CancellationScope, log, patched } from '@temporalio/workflow';
import type { StoppedWorkload } from '../contract/kubernetes.js';
import type { ComponentRef } from '../contract/run-context.js';
import { bookkeeping, quickOptions, summarized, waitingOptions } from './activity-options.js';
import { describeFailure } from './failures.js';
import type { PreparedRun } from '../contract/plan.js';
import type { RunTracker } from './run-tracker.js';

/** Patch id: runs note what was stopped before them and put back what they stopped. */
const compensationPatch = 'runs-put-back-what-they-stopped';

/** Patch id: a run that did not succeed names the components left stopped in its account. */
const stillStoppedPatch = 'left-account-names-stopped-components';

/** Seconds a put-back start waits for a component to be ready. */
const putBackTimeoutSeconds = 300;

export class Compensation {
  /** Workloads stopped before the run (`kind/name`); undefined for runs started before compensation. */
  private stoppedBefore: Set<string> | undefined;
  private settled = false;

  constructor(
    private readonly scope: { deploymentId: string; run: PreparedRun },
    private readonly tracker: RunTracker,
    private readonly enabled: boolean,
  ) {}

  /** Notes what is stopped before the first mode runs, so that only the run's own stops are put back. */
  async begin(): Promise<void> {
    if (!patched(compensationPatch)) return;
    this.stoppedBefore = new Set();
    if (!this.enabled || this.components().length === 0) return;
    const stopped = await bookkeeping('find the components of the deployment stopped before the run').stoppedWorkloads(
      this.componentsInput(),
    );
    this.stoppedBefore = new Set(stopped.map(workloadKey));
  }

  /** True once the run has noted what was stopped before it: it settles on every way out. */
  get puttingBack(): boolean {
    return this.stoppedBefore !== undefined;
  }

  /**
   * Once, when the run will not complete: puts back what its actions stopped (unless the input
   * turned that off), then notes what is still stopped. Runs on while the run is being cancelled;
   * a cluster that cannot answer leaves the account without it.
   */
  settle(): Promise<void> {
    if (this.settled || this.components().length === 0) return Promise.resolve();
    this.settled = true;
    if (!this.puttingBack && !patched(stillStoppedPatch)) return Promise.resolve();
    return CancellationScope.nonCancellable(() => this.putBack());
  }

  private async putBack(): Promise<void> {
    const { deploymentId } = this.scope;
    let stopped: StoppedWorkload[];
    try {
      stopped = await summarized(quickOptions, `find the components of ${deploymentId} left stopped`, {
        retry: { maximumAttempts: 3 },
      }).stoppedWorkloads(this.componentsInput());
    } catch (err) {
      log.warn('could not read which components are left stopped', { deploymentId, error: describeFailure(err) });
      return;
    }
    const ours =
      this.enabled && this.stoppedBefore ? stopped.filter((w) => !this.stoppedBefore!.has(workloadKey(w))) : [];
    const putBack: string[] = [];
    const couldNot: string[] = [];
    for (const component of latestStopFirst(ours)) {
      const workloads = ours.filter((w) => w.component === component);
      try {
        await summarized(waitingOptions, `put back ${component}: start it again`, {
          retry: { ...waitingOptions.retry, maximumAttempts: 3 },
        }).startComponents({ ...this.componentsInput([component]), timeoutSeconds: putBackTimeoutSeconds });
        putBack.push(...workloads.map(describeStopped));
      } catch (err) {
        couldNot.push(`${component}: ${describeFailure(err).split('\n')[0]!.slice(0, 300)}`);
      }
    }
    if (this.stoppedBefore) this.tracker.compensated(putBack, couldNot);
    const started = new Set(putBack);
    this.tracker.stillStopped(stopped.map(describeStopped).filter((w) => !started.has(w)));
  }

  private components(): ComponentRef[] {
    return Object.values(this.scope.run.context.components);
  }

  private componentsInput(names?: string[]) {
    const components = this.components().filter((c) => !names || names.includes(c.name));
    return {
      deploymentId: this.scope.deploymentId,
      namespace: this.scope.run.context.deployment.namespace,
      components,
    };
  }
}

function workloadKey(w: StoppedWorkload): string {
  return `${w.kind}/${w.name}`;
}

/** Components in the order to put them back: the one stopped last first. */
function latestStopFirst(workloads: StoppedWorkload[]): string[] {
  const latest = new Map<string, string>();
  for (const w of workloads) {
    const at = w.stoppedAt ?? '';
    if (!latest.has(w.component) || at > latest.get(w.component)!) latest.set(w.component, at);
  }
  return [...latest.entries()].sort((a, b) => b[1].localeCompare(a[1])).map(([component]) => component);
}

/** A stopped workload as the account names it: `task-worker (Deployment task-worker, 2 replicas)`. */
export function describeStopped(w: StoppedWorkload): string {
  const what = w.replicas === null ? 'suspended' : `${w.replicas} replica${w.replicas === 1 ? '' : 's'}`;
  return `${w.component} (${w.kind} ${w.name}, ${what})`;
}
