/**
 * The StatefulSet controller: pods `<name>-0..N-1` with stable names, created in order (each once the previous
 * is Ready) and removed from the highest ordinal (OrderedReady), or all at once (Parallel). A template change
 * rolls pods from the highest ordinal down to the partition. volumeClaimTemplates get bound claims.
 */
import type { SimContext } from '../context.js';
import { createObject } from '../objects.js';
import { findByPath, type ResourceType } from '../resources.js';
import { stableHash, type KubeObject } from '../util.js';
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

const statefulSetsType = findByPath('apps', 'v1', 'statefulsets') as ResourceType;
const claimsType = findByPath('', 'v1', 'persistentvolumeclaims') as ResourceType;
const REVISION_LABEL = 'controller-revision-hash';

function ordinalOf(sts: KubeObject, pod: KubeObject): number {
  const prefix = `${sts.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  return name.startsWith(prefix) ? Number(name.slice(prefix.length)) : -1;
}

function ensureClaims(ctx: SimContext, sts: KubeObject, ordinal: number): void {
  for (const template of specOf(sts).volumeClaimTemplates ?? []) {
    const name = `${template.metadata?.name}-${sts.metadata.name}-${ordinal}`;
    if (ctx.store.get(claimsType, sts.metadata.namespace, name)) continue;
    const labels = specOf(sts).selector?.matchLabels ?? {};
    createObject(ctx, claimsType, sts.metadata.namespace, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, labels },
      spec: template.spec ?? {},
    });
  }
}

/** The StatefulSet controller. */
export function statefulSetController(ctx: SimContext): Controller {
  return {
    name: 'statefulset',
    keysFor: (event) =>
      event.rt.kind === 'StatefulSet' && event.type !== 'DELETED'
        ? [`${event.object.metadata.namespace}/${event.object.metadata.name}`]
        : ownerKeys(event, 'Pod', 'StatefulSet'),
    reconcile: (key) => {
      const [namespace, name] = splitKey(key);
      const sts = ctx.store.get(statefulSetsType, namespace, name);
      if (!sts || sts.metadata.deletionTimestamp) return;
      const spec = specOf(sts);
      const desired = spec.replicas ?? 1;
      const parallel = spec.podManagementPolicy === 'Parallel';
      const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
      const updateRevision = `${name}-${stableHash(spec.template)}`;
      const pods = podsOf(ctx, namespace, sts.metadata.uid ?? '');
      const byOrdinal = new Map(pods.map((p) => [ordinalOf(sts, p), p]));
      const terminating = pods.some((p) => p.metadata.deletionTimestamp);

      const surplus = pods
        .filter((p) => ordinalOf(sts, p) >= desired && !p.metadata.deletionTimestamp)
        .sort((a, b) => ordinalOf(sts, b) - ordinalOf(sts, a));
      const toDelete = parallel ? surplus : terminating ? [] : surplus.slice(0, 1);
      for (const pod of toDelete) deletePod(ctx, pod);

      let blocked = !parallel && (terminating || toDelete.length > 0);
      for (let ordinal = 0; ordinal < desired && !blocked; ordinal++) {
        const pod = byOrdinal.get(ordinal);
        if (!pod) {
          ensureClaims(ctx, sts, ordinal);
          createPod(ctx, sts, `${name}-${ordinal}`, spec.template, {
            [REVISION_LABEL]: updateRevision,
            'statefulset.kubernetes.io/pod-name': `${name}-${ordinal}`,
            'apps.kubernetes.io/pod-index': String(ordinal),
          });
          blocked = !parallel;
        } else if (!parallel && !isPodReady(pod)) blocked = true;
      }
      // Rolling update: one outdated pod at a time, highest ordinal first, once everything else is ready.
      const ready = (p: KubeObject | undefined): boolean => p !== undefined && isPodActive(p) && isPodReady(p);
      const allReady = Array.from({ length: desired }, (_, i) => byOrdinal.get(i)).every(ready);
      if (spec.updateStrategy?.type !== 'OnDelete' && allReady && !terminating) {
        const outdated = Array.from({ length: desired }, (_, i) => byOrdinal.get(i))
          .filter(
            (p): p is KubeObject =>
              p !== undefined &&
              p.metadata.labels?.[REVISION_LABEL] !== updateRevision &&
              ordinalOf(sts, p) >= partition,
          )
          .sort((a, b) => ordinalOf(sts, b) - ordinalOf(sts, a));
        const first = outdated[0];
        if (first) deletePod(ctx, first);
      }

      const now = podsOf(ctx, namespace, sts.metadata.uid ?? '').filter(isPodActive);
      const updated = now.filter((p) => p.metadata.labels?.[REVISION_LABEL] === updateRevision).length;
      const previous = statusOf(sts);
      const currentRevision =
        updated === now.length && now.length === desired
          ? updateRevision
          : String(previous.currentRevision ?? updateRevision);
      writeStatus(ctx, statefulSetsType, sts, {
        observedGeneration: sts.metadata.generation ?? 1,
        replicas: now.length,
        readyReplicas: now.filter(isPodReady).length,
        availableReplicas: now.filter(isPodReady).length,
        currentReplicas: now.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length,
        updatedReplicas: updated,
        currentRevision,
        updateRevision,
        collisionCount: 0,
      });
    },
  };
}
