/** The ReplicaSet controller: keeps spec.replicas active pods and reports them in status. */
import type { SimContext } from '../context.js';
import { findByPath, type ResourceType } from '../resources.js';
import { randomSuffix, type KubeObject } from '../util.js';
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

const replicaSetsType = findByPath('apps', 'v1', 'replicasets') as ResourceType;

/** Order in which surplus pods are deleted: not yet running first, then not ready, then the newest. */
function deletionRank(pod: KubeObject): [number, string] {
  const phase = statusOf(pod).phase;
  const rank = phase !== 'Running' ? 0 : isPodReady(pod) ? 2 : 1;
  return [rank, pod.metadata.creationTimestamp ?? ''];
}

/** The ReplicaSet controller. */
export function replicaSetController(ctx: SimContext): Controller {
  return {
    name: 'replicaset',
    keysFor: (event) =>
      event.rt.kind === 'ReplicaSet' && event.type !== 'DELETED'
        ? [`${event.object.metadata.namespace}/${event.object.metadata.name}`]
        : ownerKeys(event, 'Pod', 'ReplicaSet'),
    reconcile: (key) => {
      const [namespace, name] = splitKey(key);
      const rs = ctx.store.get(replicaSetsType, namespace, name);
      if (!rs || rs.metadata.deletionTimestamp) return;
      const spec = specOf(rs);
      const desired = spec.replicas ?? 1;
      const pods = podsOf(ctx, namespace, rs.metadata.uid ?? '');
      const active = pods.filter(isPodActive);
      for (let i = active.length; i < desired; i++) createPod(ctx, rs, `${name}-${randomSuffix()}`, spec.template);
      if (active.length > desired) {
        const surplus = [...active].sort((a, b) => {
          const [ra, ta] = deletionRank(a);
          const [rb, tb] = deletionRank(b);
          return ra - rb || tb.localeCompare(ta);
        });
        for (const pod of surplus.slice(0, active.length - desired)) deletePod(ctx, pod);
      }
      const now = podsOf(ctx, namespace, rs.metadata.uid ?? '').filter(isPodActive);
      const ready = now.filter(isPodReady).length;
      writeStatus(ctx, replicaSetsType, rs, {
        replicas: now.length,
        fullyLabeledReplicas: now.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: rs.metadata.generation ?? 1,
      });
    },
  };
}
