/**
 * Stopping and starting components: scale their workloads down (remembering the replicas on the
 * objects) or back up, then wait until the pods are gone or ready. Both are idempotent and
 * state-based, so a retry after a crash or a heartbeat timeout simply continues.
 */
import { log } from '@temporalio/activity';
import type { ComponentsInput, WorkloadChange } from './k8s-types.js';
import { forgetStop, rereadWorkload, restoreWorkload, stopWorkload } from './k8s-scale.js';
import { retryTransient } from './k8s-wait.js';
import { requireWorkloads, type KubeClients, type Workload } from './k8s-workloads.js';
import { waitForState } from './status.js';

interface FoundWorkload {
  component: string;
  workload: Workload;
}

/** Every workload of every component; fails with ComponentNotFound before anything changes. */
async function findAll(clients: KubeClients, input: ComponentsInput): Promise<FoundWorkload[]> {
  const perComponent = await retryTransient('finding the components', () =>
    Promise.all(input.components.map((c) => requireWorkloads(clients, input.deploymentId, input.namespace, c))),
  );
  return perComponent.flatMap((workloads, i) => workloads.map((workload) => ({ component: input.components[i]!.name, workload })));
}

/** Runs a step on a workload; after a transient failure, reads it again and reruns the step on what is there now. */
async function onWorkload<T>(
  clients: KubeClients,
  namespace: string,
  w: Workload,
  step: (current: Workload) => Promise<T>,
  whenGone: () => T,
): Promise<T> {
  let attempt = 0;
  return retryTransient(`${w.kind} ${w.name}`, async () => {
    const current = attempt++ === 0 ? w : await rereadWorkload(clients, namespace, w);
    return current ? step(current) : whenGone();
  });
}

/**
 * Stops components: suspends their CronJobs, scales Deployments and StatefulSets to 0 (the replica
 * count is kept in the annotation `styrmin.io/replicas-before-stop`), then waits until no pod is left.
 * @example await stopComponents(clients, { deploymentId: 'shop', namespace: 'shop', components: [worker] })
 */
export async function stopComponents(clients: KubeClients, input: ComponentsInput): Promise<WorkloadChange[]> {
  const found = await findAll(clients, input);
  // CronJobs first, so that no new Job pod starts while the rest goes down.
  const ordered = [...found.filter((f) => f.workload.kind === 'CronJob'), ...found.filter((f) => f.workload.kind !== 'CronJob')];
  const changes: WorkloadChange[] = [];
  for (const { component, workload } of ordered) {
    const gone = (): WorkloadChange => ({ component, kind: workload.kind, name: workload.name, replicasBefore: null, replicasAfter: null, changed: false });
    const change = await onWorkload(clients, input.namespace, workload, (w) => stopWorkload(clients, input.namespace, component, w), gone);
    if (change.changed) log.info(`Stopped ${change.kind} ${change.name} of ${component} (replicas before: ${change.replicasBefore ?? 'n/a'})`);
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
  const found = await findAll(clients, input);
  const changes: WorkloadChange[] = [];
  for (const { component, workload } of found) {
    const gone = (): WorkloadChange => ({ component, kind: workload.kind, name: workload.name, replicasBefore: null, replicasAfter: null, changed: false });
    changes.push(await onWorkload(clients, input.namespace, workload, (w) => restoreWorkload(clients, input.namespace, component, w), gone));
  }
  await waitForState(clients, input, 'ready');
  // The annotation goes last: a start that fails before this point is retried with the count still known.
  for (const [i, { component, workload }] of found.entries()) {
    const cleared = await onWorkload(clients, input.namespace, workload, (w) => forgetStop(clients, input.namespace, w), () => false);
    const change = changes[i]!;
    if (cleared && workload.kind === 'CronJob') Object.assign(change, { suspended: false, changed: true });
    if (change.changed) log.info(`Started ${change.kind} ${change.name} of ${component} (replicas: ${change.replicasAfter ?? 'n/a'})`);
  }
  return changes;
}
