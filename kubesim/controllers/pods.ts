/**
 * The simulated scheduler and kubelet: a new pod is bound to the node and Pending, Running and Ready after
 * readyDelayMs; a Job's pod then completes; a deleted pod stays Terminating for terminationDelayMs.
 * Annotations on a pod (or its template) change that: `kubesim.styrmin.io/never-ready: "true"` keeps its
 * containers in CrashLoopBackOff, `kubesim.styrmin.io/exit-code: "<n>"` makes it complete with that code.
 */
import { randomBytes } from 'node:crypto';
import { NODE_NAME, type SimContext } from '../context.js';
import { isObject, timestamp, type JsonObject, type KubeObject } from '../util.js';
import type { Controller } from './manager.js';
import { controllerOf, podsType, splitKey, statusOf } from './workload-helpers.js';

/** Annotation that keeps a pod's containers crash-looping (Running, never Ready). */
export const NEVER_READY_ANNOTATION = 'kubesim.styrmin.io/never-ready';
/** Annotation that makes a pod's containers exit with the given code after running for readyDelayMs. */
export const EXIT_CODE_ANNOTATION = 'kubesim.styrmin.io/exit-code';

const NODE_IP = '172.18.0.2';

function containersOf(pod: KubeObject): JsonObject[] {
  const spec = isObject(pod.spec) ? pod.spec : {};
  return Array.isArray(spec.containers) ? spec.containers.filter(isObject) : [];
}

function podConditions(ready: boolean, reason: string | undefined, now: string): JsonObject[] {
  const readyCondition = (type: string): JsonObject => ({
    type,
    status: ready ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
    ...(reason ? { reason } : {}),
  });
  return [
    { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: now },
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
    readyCondition('Ready'),
    readyCondition('ContainersReady'),
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
  ];
}

function containerStatus(container: JsonObject, state: JsonObject, ready: boolean, restartCount: number): JsonObject {
  return {
    name: container.name,
    image: container.image,
    imageID: `${String(container.image)}@sha256:${'0'.repeat(64)}`,
    containerID: `containerd://${randomBytes(32).toString('hex')}`,
    ready,
    started: isObject(state.running),
    restartCount,
    state,
  };
}

/** The pod lifecycle controller. */
export function podLifecycleController(ctx: SimContext): Controller {
  const timers = new Map<string, NodeJS.Timeout>();
  const later = (pod: KubeObject, ms: number, step: (current: KubeObject) => void): void => {
    const uid = pod.metadata.uid ?? '';
    if (timers.has(uid)) return;
    timers.set(
      uid,
      ctx.timers.after(ms, () => {
        timers.delete(uid);
        const current = ctx.store.get(podsType, pod.metadata.namespace, pod.metadata.name ?? '');
        if (current && current.metadata.uid === uid) step(current);
      }),
    );
  };
  const annotation = (pod: KubeObject, key: string): string | undefined => pod.metadata.annotations?.[key];
  const completes = (pod: KubeObject): boolean =>
    controllerOf(pod)?.kind === 'Job' || annotation(pod, EXIT_CODE_ANNOTATION) !== undefined;

  const start = (pod: KubeObject): void => {
    const now = timestamp();
    const neverReady = annotation(pod, NEVER_READY_ANNOTATION) === 'true';
    const state = neverReady
      ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } }
      : { running: { startedAt: now } };
    const podIP = ctx.allocator.podIP();
    pod.status = {
      ...statusOf(pod),
      phase: 'Running',
      conditions: podConditions(!neverReady, neverReady ? 'ContainersNotReady' : undefined, now),
      hostIP: NODE_IP,
      hostIPs: [{ ip: NODE_IP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: now,
      containerStatuses: containersOf(pod).map((c) => containerStatus(c, state, !neverReady, neverReady ? 1 : 0)),
    };
    ctx.store.put(podsType, pod);
  };

  const complete = (pod: KubeObject): void => {
    const now = timestamp();
    const exitCode = Number(annotation(pod, EXIT_CODE_ANNOTATION) ?? '0');
    const state = {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: statusOf(pod).startTime ?? now,
        finishedAt: now,
      },
    };
    pod.status = {
      ...statusOf(pod),
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: podConditions(false, 'PodCompleted', now),
      containerStatuses: containersOf(pod).map((c) => ({ ...containerStatus(c, state, false, 0), started: false })),
    };
    ctx.store.put(podsType, pod);
  };

  return {
    name: 'pod-lifecycle',
    keysFor: (event) => {
      if (event.rt.kind !== 'Pod') return [];
      if (event.type === 'DELETED') {
        const uid = event.object.metadata.uid ?? '';
        ctx.timers.cancel(timers.get(uid));
        timers.delete(uid);
        return [];
      }
      return [`${event.object.metadata.namespace}/${event.object.metadata.name}`];
    },
    reconcile: (key) => {
      const [namespace, name] = splitKey(key);
      const pod = ctx.store.get(podsType, namespace, name);
      if (!pod) return;
      const spec = isObject(pod.spec) ? pod.spec : {};
      if (pod.metadata.deletionTimestamp) {
        const uid = pod.metadata.uid ?? '';
        ctx.timers.cancel(timers.get(uid));
        timers.delete(uid);
        const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
        later(
          pod,
          Math.min(grace, ctx.timing.terminationDelayMs),
          (current) => void ctx.store.remove(podsType, namespace, current.metadata.name ?? ''),
        );
        return;
      }
      const phase = statusOf(pod).phase;
      if (!spec.nodeName && (phase === undefined || phase === 'Pending')) {
        // The scheduler binds every pod to the single node at once.
        pod.spec = { ...spec, nodeName: NODE_NAME };
        pod.status = {
          phase: 'Pending',
          qosClass: 'BestEffort',
          ...statusOf(pod),
          conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() }],
        };
        ctx.store.put(podsType, pod);
        return;
      }
      if (phase === undefined || phase === 'Pending') later(pod, ctx.timing.readyDelayMs, start);
      else if (phase === 'Running' && completes(pod)) later(pod, ctx.timing.readyDelayMs, complete);
    },
  };
}
