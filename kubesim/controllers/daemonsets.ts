/** The DaemonSet controller: one pod on the single simulated node, replaced when the template changes. */
import type { SimContext } from '../context.js';
import { findByPath, type ResourceType } from '../resources.js';
import { randomSuffix, stableHash } from '../util.js';
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
  writeStatus,
} from './workload-helpers.js';

const daemonSetsType = findByPath('apps', 'v1', 'daemonsets') as ResourceType;
const REVISION_LABEL = 'controller-revision-hash';

/** The DaemonSet controller. */
export function daemonSetController(ctx: SimContext): Controller {
  return {
    name: 'daemonset',
    keysFor: (event) =>
      event.rt.kind === 'DaemonSet' && event.type !== 'DELETED'
        ? [`${event.object.metadata.namespace}/${event.object.metadata.name}`]
        : ownerKeys(event, 'Pod', 'DaemonSet'),
    reconcile: (key) => {
      const [namespace, name] = splitKey(key);
      const ds = ctx.store.get(daemonSetsType, namespace, name);
      if (!ds || ds.metadata.deletionTimestamp) return;
      const spec = specOf(ds);
      const revision = stableHash(spec.template);
      const pods = podsOf(ctx, namespace, ds.metadata.uid ?? '');
      const active = pods.filter(isPodActive);
      for (const pod of active.filter((p) => p.metadata.labels?.[REVISION_LABEL] !== revision)) deletePod(ctx, pod);
      const current = active.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision);
      if (current.length === 0 && !pods.some((p) => p.metadata.deletionTimestamp)) {
        createPod(ctx, ds, `${name}-${randomSuffix()}`, spec.template, {
          [REVISION_LABEL]: revision,
          'pod-template-generation': String(ds.metadata.generation ?? 1),
        });
      }
      const now = podsOf(ctx, namespace, ds.metadata.uid ?? '').filter(isPodActive);
      const ready = now.filter(isPodReady).length;
      const updated = now.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
      writeStatus(ctx, daemonSetsType, ds, {
        observedGeneration: ds.metadata.generation ?? 1,
        desiredNumberScheduled: 1,
        currentNumberScheduled: now.length,
        numberMisscheduled: 0,
        numberReady: ready,
        numberAvailable: ready,
        updatedNumberScheduled: updated,
        ...(ready < 1 ? { numberUnavailable: 1 } : {}),
      });
    },
  };
}
