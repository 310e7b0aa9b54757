/**
 * Stopping and starting components: scale their workloads down (remembering the replicas on the
 * objects) or back up, then wait until the pods are gone or ready. Both are idempotent and
 * state-based, so a retry after a crash or a heartbeat timeout simply continues.
 */
import { log } from '@temporalio/activity';
import type { ComponentsInput, StoppedWorkload, WorkloadChange } from '../../contract/kubernetes.js';
import { forgetStop, rememberedReplicas, rereadWorkload, restoreWorkload, stopWorkload } from './scale.js';
import { retryTransient } from './wait.js';
import {
  findWorkloads,
  requireWorkloads,
  stoppedAtAnnotation,
  suspendedByStopAnnotation,
  type KubeClients,
  type Workload,
} from './workloads.js';
import { waitForState } from './component-status.js';

interface FoundWorkload {
  component: string;
  workload: Workload;
}

/** Every workload of every component; fails with ComponentNotFound before anything changes. */
async function findAll(clients: KubeClients, input: ComponentsInput): Promise<FoundWorkload[]> {
  const perComponent = await retryTransient('finding the components', () =>
    Promise.all(input.components.map((c) => requireWorkloads(clients, input.deploymentId, input.namespace, c))),
  );
  return perComponent.flatMap((workloads, i) =>
    workloads.map((workload) => ({ component: input.components[i]!.name, workload })),
  );
}

/** Runs a step on a workload; after a transient failure, reads it again and reruns the step on what is there now. */
async function onWorkload<T>(
  clients: KubeClients,
  namespace: string,
  w: Workload,
  step: (current: Workload) => Promise<T>,
  whenGone: T,
): Promise<T> {
  let attempt = 0;
  return retryTransient(`${w.kind} ${w.name}`, async () => {
    const current = attempt++ === 0 ? w : await rereadWorkload(clients, namespace, w);
    return current ? step(current) : whenGone;
  });
}

/** The change record of a workload that went away meanwhile: nothing done. */
function untouched({ component, workload }: FoundWorkload): WorkloadChange {
  const { kind, name } = workload;
  return { component, kind, name, replicasBefore: null, replicasAfter: null, changed: false };
}

/**
 * Stops components: suspends their CronJobs, scales Deployments and StatefulSets to 0 (the replica
 * count is kept in the annotation `styrmin.io/replicas-before-stop`), then waits until no pod is left.
 * @example await stopComponents(clients, { deploymentId: 'shop', namespace: 'shop', components: [worker] })
 */
export async function stopComponents(clients: KubeClients, input: ComponentsInput): Promise<WorkloadChange[]> {
  const { namespace } = input;
  const found = await findAll(clients, input);
  // CronJobs first, so that no new Job pod starts while the rest goes down.
  const cronJobsFirst = [...found].sort(
    (a, b) => Number(b.workload.kind === 'CronJob') - Number(a.workload.kind === 'CronJob'),
  );
  const changes: WorkloadChange[] = [];
  for (const f of cronJobsFirst) {
    const stop = (w: Workload) => stopWorkload(clients, namespace, f.component, w);
    const change = await onWorkload(clients, namespace, f.workload, stop, untouched(f));
    if (change.changed)
      log.info(
        `Stopped ${f.workload.kind} ${f.workload.name} of ${f.component} (replicas before: ${change.replicasBefore ?? 'n/a'})`,
      );
    changes.push(change);
  }
  await waitForState(clients, input, 'stopped');
  return changes;
}

/**
 * Starts components stopped by {@link stopComponents}: restores the remembered replicas, waits until
 * every workload has all replicas ready, then resumes suspended CronJobs and drops the annotations.
 * Workloads without the annotation are left as they are.
 * @example await startComponents(clients, { deploymentId: 'shop', namespace: 'shop', components: [worker] })
 */
export async function startComponents(clients: KubeClients, input: ComponentsInput): Promise<WorkloadChange[]> {
  const { namespace } = input;
  const found = await findAll(clients, input);
  const changes: WorkloadChange[] = [];
  for (const f of found) {
    const restore = (w: Workload) => restoreWorkload(clients, namespace, f.component, w);
    changes.push(await onWorkload(clients, namespace, f.workload, restore, untouched(f)));
  }
  await waitForState(clients, input, 'ready');
  // The annotation goes last: a start that fails before this point is retried with the count still known.
  for (const [i, f] of found.entries()) {
    const cleared = await onWorkload(clients, namespace, f.workload, (w) => forgetStop(clients, namespace, w), false);
    const change = changes[i]!;
    if (cleared && f.workload.kind === 'CronJob') Object.assign(change, { suspended: false, changed: true });
    if (change.changed)
      log.info(
        `Started ${f.workload.kind} ${f.workload.name} of ${f.component} (replicas: ${change.replicasAfter ?? 'n/a'})`,
      );
  }
  return changes;
}

/**
 * The workloads a stop left stopped: Deployments and StatefulSets still carrying the replicas a
 * stop remembered, CronJobs still suspended by a stop. Components without workloads have none.
 */
export async function stoppedWorkloads(clients: KubeClients, input: ComponentsInput): Promise<StoppedWorkload[]> {
  const perComponent = await Promise.all(input.components.map((c) => findWorkloads(clients, input.namespace, c)));
  return perComponent.flatMap((workloads, i) =>
    workloads.flatMap((w): StoppedWorkload[] => {
      const base = { component: input.components[i]!.name, kind: w.kind, name: w.name };
      const annotations = w.object.metadata?.annotations ?? {};
      const stoppedAt = annotations[stoppedAtAnnotation] ? { stoppedAt: annotations[stoppedAtAnnotation] } : {};
      if (w.kind === 'CronJob')
        return annotations[suspendedByStopAnnotation] !== undefined ? [{ ...base, replicas: null, ...stoppedAt }] : [];
      const replicas = rememberedReplicas(w);
      return replicas === undefined ? [] : [{ ...base, replicas, ...stoppedAt }];
    }),
  );
}
