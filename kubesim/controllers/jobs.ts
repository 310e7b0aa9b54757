/** The Job controller: runs pods until `completions` succeeded or `backoffLimit` failures; honours suspend. */
import type { SimContext } from '../context.js';
import { findByPath, type ResourceType } from '../resources.js';
import { isObject, randomSuffix, timestamp, type JsonObject } from '../util.js';
import type { Controller } from './manager.js';
import {
  createPod,
  deletePod,
  isPodActive,
  isPodReady,
  ownerKeys,
  podsOf,
  specOf,
  splitKey,
  statusOf,
  writeStatus,
} from './workload-helpers.js';

const jobsType = findByPath('batch', 'v1', 'jobs') as ResourceType;

/** A True condition; an existing one of the same type is kept as is, so reconciles do not rewrite it. */
function jobCondition(previous: JsonObject, type: string, reason: string, message: string, now: string): JsonObject {
  const list = Array.isArray(previous.conditions) ? previous.conditions.filter(isObject) : [];
  const old = list.find((c) => c.type === type && c.status === 'True' && c.reason === reason);
  return old ?? { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
}

function finished(status: JsonObject): boolean {
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isObject) : [];
  return conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** The Job controller. */
export function jobController(ctx: SimContext): Controller {
  return {
    name: 'job',
    keysFor: (event) =>
      event.rt.kind === 'Job' && event.type !== 'DELETED'
        ? [`${event.object.metadata.namespace}/${event.object.metadata.name}`]
        : ownerKeys(event, 'Pod', 'Job'),
    reconcile: (key) => {
      const [namespace, name] = splitKey(key);
      const job = ctx.store.get(jobsType, namespace, name);
      if (!job || job.metadata.deletionTimestamp) return;
      const previous = statusOf(job);
      if (finished(previous)) return;
      const spec = specOf(job);
      const now = timestamp();
      const pods = podsOf(ctx, namespace, job.metadata.uid ?? '');
      const succeeded = pods.filter((p) => statusOf(p).phase === 'Succeeded').length;
      const failed = pods.filter((p) => statusOf(p).phase === 'Failed').length;
      let active = pods.filter(isPodActive);
      const completions = spec.completions ?? 1;
      const conditions: JsonObject[] = [];
      let completionTime: string | undefined;
      if (spec.suspend) {
        for (const pod of active) deletePod(ctx, pod);
        active = [];
        conditions.push(jobCondition(previous, 'Suspended', 'JobSuspended', 'Job suspended', now));
      } else if (succeeded >= completions) {
        completionTime = now;
        conditions.push(
          jobCondition(
            previous,
            'SuccessCriteriaMet',
            'CompletionsReached',
            'Reached expected number of succeeded pods',
            now,
          ),
        );
        conditions.push(
          jobCondition(previous, 'Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', now),
        );
      } else if (failed > (spec.backoffLimit ?? 6)) {
        for (const pod of active) deletePod(ctx, pod);
        active = [];
        conditions.push(
          jobCondition(
            previous,
            'FailureTarget',
            'BackoffLimitExceeded',
            'Job has reached the specified backoff limit',
            now,
          ),
        );
        conditions.push(
          jobCondition(previous, 'Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now),
        );
      } else {
        const wanted = Math.min(spec.parallelism ?? 1, completions - succeeded) - active.length;
        for (let i = 0; i < wanted; i++) createPod(ctx, job, `${name}-${randomSuffix()}`, spec.template);
        active = podsOf(ctx, namespace, job.metadata.uid ?? '').filter(isPodActive);
      }
      writeStatus(ctx, jobsType, job, {
        ...(spec.suspend ? {} : { startTime: previous.startTime ?? now }),
        ...(completionTime ? { completionTime } : {}),
        ...(active.length > 0 ? { active: active.length } : {}),
        ...(succeeded > 0 ? { succeeded } : {}),
        ...(failed > 0 ? { failed } : {}),
        ready: active.filter(isPodReady).length,
        terminating: pods.filter((p) => p.metadata.deletionTimestamp).length,
        uncountedTerminatedPods: {},
        ...(conditions.length > 0 ? { conditions } : {}),
      });
    },
  };
}
