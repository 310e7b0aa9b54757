/**
 * Keeping stopped components stopped through a release. `stopComponents` scales a workload to 0
 * through the scale subresource and suspends CronJobs, but the chart still says `replicas: N` and
 * `suspend: false`: helm's three-way merge would put those back on the live objects, starting the
 * workers while the migration that `post` runs has not happened yet. So the release step finds the
 * release's workloads Styrmin stopped and, through a post-renderer, releases them stopped; after a
 * rollback (which takes no post-renderer) it stops again whatever the rollback started.
 */
import type { V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { kubeCall } from '../kubernetes/api-errors.js';
import { stopWorkload } from '../kubernetes/scale.js';
import { retryTransient, waitUntil } from '../kubernetes/wait.js';
import { watchCollections, watchedPods } from '../kubernetes/watch-wake.js';
import {
  isLivePod,
  replicasBeforeStopAnnotation,
  suspendedByStopAnnotation,
  type KubeClients,
  type Workload,
} from '../kubernetes/workloads.js';
import { WorkloadKind } from '../../contract/kubernetes.js';
import type { HelmWorkdir } from './binary.js';
import { keepStoppedProgram, type KeepStoppedPlan } from './keep-stopped-renderer.js';

/** Annotation helm puts on every object of a release, naming the release. */
const releaseNameAnnotation = 'meta.helm.sh/release-name';

/** `Deployment/task-worker`: how results and logs name a workload. */
function workloadName(w: { kind: string; name: string }): string {
  return `${w.kind}/${w.name}`;
}

/** Marked by a stop; a CronJob suspended without the marker was suspended by someone else and is left alone. */
function isStopped(w: Workload): boolean {
  const annotations = w.object.metadata?.annotations ?? {};
  const marker = w.kind === WorkloadKind.CronJob ? suspendedByStopAnnotation : replicasBeforeStopAnnotation;
  return annotations[marker] !== undefined;
}

/** The release's workloads as they are live in its namespace. */
async function releaseWorkloads(clients: KubeClients, release: string, namespace: string): Promise<Workload[]> {
  const list = { verb: 'list', namespace };
  const [deployments, statefulSets, cronJobs] = await Promise.all([
    kubeCall({ ...list, resource: 'deployments' }, () => clients.apps.listNamespacedDeployment({ namespace })),
    kubeCall({ ...list, resource: 'statefulsets' }, () => clients.apps.listNamespacedStatefulSet({ namespace })),
    kubeCall({ ...list, resource: 'cronjobs' }, () => clients.batch.listNamespacedCronJob({ namespace })),
  ]);
  const all: Workload[] = [
    ...deployments.items.map(
      (object) => ({ kind: WorkloadKind.Deployment, name: object.metadata?.name ?? '', object }) as const,
    ),
    ...statefulSets.items.map(
      (object) => ({ kind: WorkloadKind.StatefulSet, name: object.metadata?.name ?? '', object }) as const,
    ),
    ...cronJobs.items.map(
      (object) => ({ kind: WorkloadKind.CronJob, name: object.metadata?.name ?? '', object }) as const,
    ),
  ];
  return all.filter((w) => w.object.metadata?.annotations?.[releaseNameAnnotation] === release);
}

/**
 * The release's workloads that Styrmin stopped: Deployments and StatefulSets carrying
 * `styrmin.io/replicas-before-stop`, CronJobs carrying `styrmin.io/suspended-by-stop`.
 */
async function findStoppedWorkloads(clients: KubeClients, release: string, namespace: string): Promise<Workload[]> {
  const workloads = await retryTransient('listing the workloads of the release', () =>
    releaseWorkloads(clients, release, namespace),
  );
  return workloads.filter(isStopped);
}

/** `Kind/name` of every object in a manifest whose `spec.replicas` is set. */
function workloadsSettingReplicas(manifest: string): Set<string> {
  const found = new Set<string>();
  for (const doc of parseAllDocuments(manifest, { version: '1.1' })) {
    if (doc.errors.length) continue;
    const object = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { replicas?: unknown } } | null;
    if (object?.spec?.replicas !== undefined && object.kind && object.metadata?.name) {
      found.add(workloadName({ kind: object.kind, name: object.metadata.name }));
    }
  }
  return found;
}

/** What a release keeps stopped, and the helm arguments that do it (none when nothing is stopped). */
export interface KeptStopped {
  names: string[];
  helmArgs: string[];
}

/**
 * Plans the post-renderer for an install or upgrade: finds the stopped workloads, writes the
 * program and its plan into the step's workdir, and returns `--post-renderer node
 * --post-renderer-args <program> --post-renderer-args <plan>`. `currentManifest` is read only when
 * something is stopped.
 */
export async function keepStopped(opts: {
  clients: KubeClients;
  release: string;
  namespace: string;
  workdir: HelmWorkdir;
  currentManifest: () => Promise<string>;
}): Promise<KeptStopped> {
  const stopped = await findStoppedWorkloads(opts.clients, opts.release, opts.namespace);
  if (stopped.length === 0) return { names: [], helmArgs: [] };
  const settingReplicas = workloadsSettingReplicas(await opts.currentManifest());
  const plan: KeepStoppedPlan = {
    namespace: opts.namespace,
    workloads: stopped.map((w) => ({
      kind: w.kind,
      name: w.name,
      replicasInRelease: settingReplicas.has(workloadName(w)),
    })),
  };
  const program = opts.workdir.writeFile('keep-stopped.cjs', keepStoppedProgram());
  const planFile = opts.workdir.writeFile('keep-stopped.json', JSON.stringify(plan));
  return {
    names: stopped.map(workloadName),
    helmArgs: ['--post-renderer', process.execPath, '--post-renderer-args', program, '--post-renderer-args', planFile],
  };
}

/** True when a stopped workload runs again: replicas above 0, or a CronJob no longer suspended. */
function runsAgain(w: Workload): boolean {
  if (w.kind === WorkloadKind.CronJob) return w.object.spec?.suspend !== true;
  return (w.object.spec?.replicas ?? 1) > 0;
}

/** A label selector in the `k=v,k in (a,b),!k` form the API takes. */
function selectorText(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map(({ key, operator, values = [] }) => {
    if (operator === 'Exists') return key;
    if (operator === 'DoesNotExist') return `!${key}`;
    return `${key} ${operator === 'NotIn' ? 'notin' : 'in'} (${values.join(',')})`;
  });
  return [...labels, ...expressions].join(',');
}

/** Live pods of the workloads (by their own pod selectors), named for messages. */
async function livePodsOf(clients: KubeClients, namespace: string, workloads: Workload[]): Promise<string[]> {
  const names: string[] = [];
  for (const w of workloads) {
    const labelSelector = w.kind === WorkloadKind.CronJob ? '' : selectorText(w.object.spec?.selector);
    if (!labelSelector) continue; // a CronJob's Jobs finish on their own; the suspend stops new ones
    const pods = await kubeCall({ verb: 'list', resource: 'pods', namespace }, () =>
      clients.core.listNamespacedPod({ namespace, labelSelector }),
    );
    names.push(
      ...pods.items.filter((p: V1Pod) => isLivePod(p)).map((p) => `${workloadName(w)}: pod ${p.metadata?.name}`),
    );
  }
  return names;
}

/**
 * After a rollback: stops again the stopped workloads the rollback scaled up or resumed (helm
 * rollback takes no post-renderer, and the revision it goes back to says `replicas: N`), then
 * waits until their pods are gone. Returns what it stopped again.
 */
export async function stopAgainAfterRollback(
  clients: KubeClients,
  opts: { release: string; namespace: string; timeoutSeconds: number },
): Promise<string[]> {
  const { release, namespace } = opts;
  const started = (await findStoppedWorkloads(clients, release, namespace)).filter(runsAgain);
  for (const w of started) {
    await retryTransient(`stopping ${workloadName(w)} again`, () =>
      stopWorkload(clients, namespace, `release ${release}`, w),
    );
  }
  if (started.length === 0) return [];
  await waitUntil({
    what: `the pods a rollback of release "${release}" (namespace "${namespace}") started to stop again`,
    timeoutSeconds: opts.timeoutSeconds,
    // Every pod of the namespace: the workloads' own selectors may use set-based expressions.
    changes: watchCollections(clients.kc, [watchedPods(namespace)]),
    check: async () => {
      const left = await livePodsOf(clients, namespace, started);
      return { done: left.length === 0, message: left.join(', ') };
    },
  });
  return started.map(workloadName);
}
