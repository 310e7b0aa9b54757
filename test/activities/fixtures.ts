/**
 * Workloads and helpers shared by the activity tests. The workloads are real ones (busybox
 * running a sleep loop) so they behave on a real cluster as they do on the simulator.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { NEVER_READY_ANNOTATION } from '../../kubesim/index.js';
import type { TestCluster } from './cluster.js';

const image = 'busybox:1.36';
/** Exits at once on SIGTERM, so scaling down does not wait for the grace period. */
const sleepLoop = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

/** How a test workload's pods behave. */
export interface PodBehaviour {
  /** Pods crash-loop and never become ready (a failing container; the simulator's never-ready annotation). */
  neverReady?: boolean;
}

function template(labels: Record<string, string>, behaviour: PodBehaviour = {}): V1PodTemplateSpec {
  return {
    metadata: { labels, ...(behaviour.neverReady ? { annotations: { [NEVER_READY_ANNOTATION]: 'true' } } : {}) },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image, command: behaviour.neverReady ? ['sh', '-c', 'echo crashing >&2; exit 1'] : sleepLoop }],
    },
  };
}

/** Creates a Deployment with the given labels on the workload, selector and pods. */
export async function createDeployment(c: TestCluster, namespace: string, name: string, labels: Record<string, string>, replicas: number, behaviour?: PodBehaviour) {
  return c.apps.createNamespacedDeployment({
    namespace,
    body: { metadata: { name, labels }, spec: { replicas, selector: { matchLabels: { ...labels, workload: name } }, template: template({ ...labels, workload: name }, behaviour) } },
  });
}

/** Creates a StatefulSet (parallel pod management, so it scales as fast as a Deployment). */
export async function createStatefulSet(c: TestCluster, namespace: string, name: string, labels: Record<string, string>, replicas: number) {
  return c.apps.createNamespacedStatefulSet({
    namespace,
    body: {
      metadata: { name, labels },
      spec: { replicas, serviceName: name, podManagementPolicy: 'Parallel', selector: { matchLabels: { ...labels, workload: name } }, template: template({ ...labels, workload: name }) },
    },
  });
}

/** Creates a CronJob that would run once a year (never during a test). */
export async function createCronJob(c: TestCluster, namespace: string, name: string, labels: Record<string, string>) {
  return c.batch.createNamespacedCronJob({
    namespace,
    body: {
      metadata: { name, labels },
      spec: { schedule: '0 0 1 1 *', jobTemplate: { spec: { template: { ...template(labels), spec: { ...template(labels).spec!, restartPolicy: 'Never' } } } } },
    },
  });
}

/** Creates a bare pod (no controller): a stop cannot make it go away. */
export async function createBarePod(c: TestCluster, namespace: string, name: string, labels: Record<string, string>) {
  const { metadata, spec } = template(labels);
  return c.core.createNamespacedPod({ namespace, body: { metadata: { ...metadata, name }, spec: spec! } });
}

/** Polls `check` until it returns true; fails with `what` after `seconds`. */
export async function until(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pods of a selector that are not finished. */
export async function livePods(c: TestCluster, namespace: string, labelSelector: string) {
  const pods = await c.core.listNamespacedPod({ namespace, labelSelector });
  return pods.items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

/** An activity context for one run that records (instead of printing) log entries and heartbeats. */
export function activityEnv(): { env: MockActivityEnvironment; logs: LogEntry[]; heartbeats: unknown[] } {
  const logs: LogEntry[] = [];
  const heartbeats: unknown[] = [];
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('DEBUG', (entry) => logs.push(entry)) });
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  return { env, logs, heartbeats };
}

/** Runs an activity function in a fresh activity context, as a worker would. */
export function runActivity<I, O>(fn: (input: I) => Promise<O>, input: I, env = activityEnv().env): Promise<O> {
  return env.run(fn, input);
}

/** The ApplicationFailure a promise rejects with (any other outcome fails the test). */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  let result: unknown;
  try {
    result = await promise;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error(`expected an ApplicationFailure, got a result: ${JSON.stringify(result)}`);
}

/**
 * What a write by the primitives would change on each workload: generation (spec), annotations and
 * suspend. Resource versions would not do: controllers keep updating status on a real cluster.
 */
async function workloadState(c: TestCluster, namespace: string): Promise<Record<string, unknown>> {
  const [d, s, j] = await Promise.all([
    c.apps.listNamespacedDeployment({ namespace }),
    c.apps.listNamespacedStatefulSet({ namespace }),
    c.batch.listNamespacedCronJob({ namespace }),
  ]);
  type Item = { metadata?: { name?: string; generation?: number; annotations?: Record<string, string> }; spec?: object };
  const entries = (kind: string, items: Item[]) =>
    items.map((o) => [`${kind}/${o.metadata?.name}`, { generation: o.metadata?.generation, annotations: o.metadata?.annotations ?? {}, suspend: (o.spec as { suspend?: boolean } | undefined)?.suspend }] as const);
  return Object.fromEntries([...entries('Deployment', d.items), ...entries('StatefulSet', s.items), ...entries('CronJob', j.items)]);
}

/** Runs `fn` and asserts it wrote nothing in the namespace (on the simulator also: sent no write request at all). */
export async function expectNoWrites<T>(c: TestCluster, namespace: string, fn: () => Promise<T>): Promise<T> {
  const before = await workloadState(c, namespace);
  const mark = c.sim?.requests.length ?? 0;
  const result = await fn();
  expect(await workloadState(c, namespace)).toEqual(before);
  if (c.sim) {
    const writes = c.sim.requests.slice(mark).filter((r) => r.method !== 'GET' && r.path.includes(`/namespaces/${namespace}/`));
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  }
  return result;
}
