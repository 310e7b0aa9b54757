/** Helpers shared by the activity tests: polling, activity contexts, failures and write checks. */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { ComponentRef } from '../../contract/run-context.js';
import type { TestCluster } from '../support/cluster.js';

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
  const env = new MockActivityEnvironment(undefined, {
    logger: new DefaultLogger('DEBUG', (entry) => logs.push(entry)),
  });
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  return { env, logs, heartbeats };
}

/** Runs an activity function in a fresh activity context, as a worker would. */
export function runActivity<I, O>(fn: (input: I) => Promise<O>, input: I, env = activityEnv().env): Promise<O> {
  return env.run(fn, input);
}

/** Waits, through the waitForComponents activity, until every workload of the components is ready. */
export async function waitUntilReady(c: TestCluster, namespace: string, components: ComponentRef[]): Promise<void> {
  const input = { deploymentId: 'shop', namespace, components, state: 'ready' as const, timeoutSeconds: c.waitSeconds };
  await runActivity(c.activities.waitForComponents, input);
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
  type Item = {
    metadata?: { name?: string; generation?: number; annotations?: Record<string, string> };
    spec?: object;
  };
  const entries = (kind: string, items: Item[]) =>
    items.map(
      (o) =>
        [
          `${kind}/${o.metadata?.name}`,
          {
            generation: o.metadata?.generation,
            annotations: o.metadata?.annotations ?? {},
            suspend: (o.spec as { suspend?: boolean } | undefined)?.suspend,
          },
        ] as const,
    );
  return Object.fromEntries([
    ...entries('Deployment', d.items),
    ...entries('StatefulSet', s.items),
    ...entries('CronJob', j.items),
  ]);
}

/** Runs `fn` and asserts it wrote nothing in the namespace (on the simulator also: sent no write request at all). */
export async function expectNoWrites<T>(c: TestCluster, namespace: string, fn: () => Promise<T>): Promise<T> {
  const before = await workloadState(c, namespace);
  const mark = c.sim?.requests.length ?? 0;
  const result = await fn();
  expect(await workloadState(c, namespace)).toEqual(before);
  if (c.sim) {
    const writes = c.sim.requests
      .slice(mark)
      .filter((r) => r.method !== 'GET' && r.path.includes(`/namespaces/${namespace}/`));
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  }
  return result;
}
