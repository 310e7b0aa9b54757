/**
 * Component status: what `getComponentStatus` reports, and the checks every wait for
 * components (`ready` or `stopped`) polls.
 */
import type { ComponentStatus, ComponentsInput, WaitForComponentsInput } from '../../contract/kubernetes.js';
import { describeNotReady, describeNotStopped, isWorkloadReady, readComponentStatus } from './workload-state.js';
import { retryTransient, waitUntil, type WaitOptions, type WaitProgress } from './wait.js';
import {
  watchCollections,
  watchedDeployments,
  watchedPods,
  watchedStatefulSets,
  type WatchedCollection,
} from './watch-wake.js';
import { selectorString, type KubeClients } from './workloads.js';

/** How long waits last when the input names no timeout. */
const defaultWaitSeconds = 300;

/** Reads every component of the input; a selector that matches no workload fails with ComponentNotFound. */
function readComponents(clients: KubeClients, input: ComponentsInput): Promise<ComponentStatus[]> {
  return Promise.all(input.components.map((c) => readComponentStatus(clients, input.deploymentId, input.namespace, c)));
}

/** A state check for {@link waitUntil}: are all components `ready`, or all `stopped`? */
function componentsCheck(
  clients: KubeClients,
  input: ComponentsInput,
  state: 'ready' | 'stopped',
): () => Promise<WaitProgress> {
  const podsAtStart = new Map<string, number>();
  return async () => {
    const statuses = await readComponents(clients, input);
    const pending = statuses.filter((s) => (state === 'ready' ? !s.ready : !s.stopped));
    for (const s of statuses) {
      if (!podsAtStart.has(s.name))
        podsAtStart.set(s.name, s.pods.filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed').length);
    }
    const message = pending
      .map((s) => (state === 'ready' ? describeNotReady(s) : describeNotStopped(s, podsAtStart.get(s.name))))
      .join('; ');
    const details = pending.map((s) => ({
      component: s.name,
      workloads: state === 'ready' ? s.workloads.filter((w) => !isWorkloadReady(w)) : [],
      pods: s.pods.filter((p) => (state === 'ready' ? !p.ready : p.phase !== 'Succeeded' && p.phase !== 'Failed')),
    }));
    return { done: pending.length === 0, message, details };
  };
}

/**
 * What can change the answer of {@link componentsCheck}: each component's pods and, for `ready`,
 * its Deployments and StatefulSets (their ready counts change after the pods do). `stopped` is
 * about pods alone. CronJobs never hold a wait up.
 */
function componentCollections(input: ComponentsInput, state: 'ready' | 'stopped'): WatchedCollection[] {
  return input.components.flatMap((c) => {
    const selector = selectorString(c.selector ?? {});
    const pods = watchedPods(input.namespace, selector);
    if (state === 'stopped') return [pods];
    return [pods, watchedDeployments(input.namespace, selector), watchedStatefulSets(input.namespace, selector)];
  });
}

/**
 * Waits until the components reach `state`, looking again whenever a watched pod or workload
 * changes; heartbeats progress; WaitTimedOut lists what was still pending. `polling` overrides
 * the poll intervals (tests make them long, to show the watch alone ends a wait in time).
 */
export async function waitForState(
  clients: KubeClients,
  input: ComponentsInput,
  state: 'ready' | 'stopped',
  polling: Pick<WaitOptions, 'intervalMs' | 'watchedIntervalMs'> = {},
): Promise<void> {
  await waitUntil({
    what:
      `${input.components.map((c) => c.name).join(', ')} of deployment "${input.deploymentId}" ` +
      `(namespace "${input.namespace}") to ${state === 'ready' ? 'be ready' : 'stop'}`,
    timeoutSeconds: input.timeoutSeconds ?? defaultWaitSeconds,
    check: componentsCheck(clients, input, state),
    changes: watchCollections(clients.kc, componentCollections(input, state)),
    ...polling,
  });
}

/** Reports workloads (desired and ready replicas) and pods (phase, readiness, reason) of each component. */
export async function getComponentStatus(clients: KubeClients, input: ComponentsInput): Promise<ComponentStatus[]> {
  return retryTransient('reading component status', () => readComponents(clients, input));
}

/** Waits until every component is `ready` or `stopped`, then reports their status. */
export async function waitForComponents(
  clients: KubeClients,
  input: WaitForComponentsInput,
): Promise<ComponentStatus[]> {
  await waitForState(clients, input, input.state);
  return getComponentStatus(clients, input);
}
