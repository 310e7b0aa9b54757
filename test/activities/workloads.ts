/**
 * The workloads the activity tests create: real ones (busybox running a sleep loop), so they
 * behave on a real cluster as they do on the simulator.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { NEVER_READY_ANNOTATION } from '../../kubesim/index.js';
import type { TestCluster } from '../support/cluster.js';

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
      containers: [
        { name: 'app', image, command: behaviour.neverReady ? ['sh', '-c', 'echo crashing >&2; exit 1'] : sleepLoop },
      ],
    },
  };
}

/** Creates a Deployment with the given labels on the workload, selector and pods. */
export async function createDeployment(
  c: TestCluster,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  replicas: number,
  behaviour?: PodBehaviour,
) {
  return c.apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name, labels },
      spec: {
        replicas,
        selector: { matchLabels: { ...labels, workload: name } },
        template: template({ ...labels, workload: name }, behaviour),
      },
    },
  });
}

/** Creates a StatefulSet (parallel pod management, so it scales as fast as a Deployment). */
export async function createStatefulSet(
  c: TestCluster,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  replicas: number,
) {
  return c.apps.createNamespacedStatefulSet({
    namespace,
    body: {
      metadata: { name, labels },
      spec: {
        replicas,
        serviceName: name,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { ...labels, workload: name } },
        template: template({ ...labels, workload: name }),
      },
    },
  });
}

/** Creates a CronJob that would run once a year (never during a test). */
export async function createCronJob(c: TestCluster, namespace: string, name: string, labels: Record<string, string>) {
  return c.batch.createNamespacedCronJob({
    namespace,
    body: {
      metadata: { name, labels },
      spec: {
        schedule: '0 0 1 1 *',
        jobTemplate: {
          spec: { template: { ...template(labels), spec: { ...template(labels).spec!, restartPolicy: 'Never' } } },
        },
      },
    },
  });
}

/** Creates a bare pod (no controller): a stop cannot make it go away. */
export async function createBarePod(c: TestCluster, namespace: string, name: string, labels: Record<string, string>) {
  const { metadata, spec } = template(labels);
  return c.core.createNamespacedPod({ namespace, body: { metadata: { ...metadata, name }, spec: spec! } });
}
