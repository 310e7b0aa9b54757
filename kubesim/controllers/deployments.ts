/**
 * The Deployment controller: one ReplicaSet per pod template (named `<deployment>-<pod-template-hash>`).
 * A template change creates a new ReplicaSet at full size; the old ones are scaled to 0 once the new one is
 * ready (RollingUpdate), or before it starts (Recreate). Status mirrors what `kubectl rollout status` reads.
 */
import type { SimContext } from '../context.js';
import { createObject } from '../objects.js';
import { findByPath, type ResourceType } from '../resources.js';
import { clone, deepEqual, stableHash, timestamp, type KubeObject } from '../util.js';
import type { Controller } from './manager.js';
import {
  condition,
  controllerOf,
  controllerRef,
  ownerKeys,
  specOf,
  splitKey,
  statusOf,
  writeStatus,
  type WorkloadSpec,
} from './workload-helpers.js';

const deploymentsType = findByPath('apps', 'v1', 'deployments') as ResourceType;
const replicaSetsType = findByPath('apps', 'v1', 'replicasets') as ResourceType;
const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

function withoutHash(template: WorkloadSpec['template']): unknown {
  const copy = clone(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
  return copy;
}

function maxUnavailable(spec: WorkloadSpec, desired: number): number {
  if (spec.strategy?.type !== 'RollingUpdate') return 0;
  const value = spec.strategy.rollingUpdate?.maxUnavailable ?? '25%';
  return typeof value === 'number' ? value : Math.floor((desired * parseInt(value, 10)) / 100);
}

function scaleReplicaSet(ctx: SimContext, rs: KubeObject, replicas: number): void {
  if ((specOf(rs).replicas ?? 1) === replicas) return;
  rs.spec = { ...specOf(rs), replicas };
  ctx.store.put(replicaSetsType, rs);
}

function createReplicaSet(
  ctx: SimContext,
  deployment: KubeObject,
  hash: string,
  revision: number,
  replicas: number,
): KubeObject {
  const spec = specOf(deployment);
  const template = clone(spec.template ?? {});
  template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
  return createObject(ctx, replicaSetsType, deployment.metadata.namespace, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      labels: template.metadata.labels,
      annotations: {
        [REVISION]: String(revision),
        'deployment.kubernetes.io/desired-replicas': String(spec.replicas ?? 1),
      },
      ownerReferences: [controllerRef(deployment)],
    },
    spec: {
      replicas,
      selector: {
        ...clone(spec.selector ?? {}),
        matchLabels: { ...(spec.selector?.matchLabels ?? {}), [HASH_LABEL]: hash },
      },
      template,
    },
  });
}

/** The Deployment controller. */
export function deploymentController(ctx: SimContext): Controller {
  return {
    name: 'deployment',
    keysFor: (event) =>
      event.rt.kind === 'Deployment' && event.type !== 'DELETED'
        ? [`${event.object.metadata.namespace}/${event.object.metadata.name}`]
        : ownerKeys(event, 'ReplicaSet', 'Deployment'),
    reconcile: (key) => {
      const [namespace, name] = splitKey(key);
      const deployment = ctx.store.get(deploymentsType, namespace, name);
      if (!deployment || deployment.metadata.deletionTimestamp) return;
      const spec = specOf(deployment);
      const desired = spec.replicas ?? 1;
      const owned = ctx.store
        .list(replicaSetsType, namespace)
        .filter((rs) => controllerOf(rs)?.uid === deployment.metadata.uid);
      let current = owned.find((rs) => deepEqual(withoutHash(specOf(rs).template), withoutHash(spec.template)));
      const revisions = owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? '0'));
      if (!current && !spec.paused) {
        const recreate = spec.strategy?.type === 'Recreate' && owned.some((rs) => (statusOf(rs).replicas ?? 0) !== 0);
        current = createReplicaSet(
          ctx,
          deployment,
          stableHash(spec.template),
          Math.max(0, ...revisions) + 1,
          recreate ? 0 : desired,
        );
        revisions.push(Math.max(0, ...revisions) + 1);
      }
      const newest = Math.max(0, ...revisions);
      if (current && Number(current.metadata.annotations?.[REVISION] ?? '0') < newest) {
        // Going back to an older template (a rollback) makes its ReplicaSet the newest revision again.
        current.metadata.annotations = { ...current.metadata.annotations, [REVISION]: String(newest + 1) };
        current = ctx.store.put(replicaSetsType, current);
      }
      const old = owned.filter((rs) => rs.metadata.uid !== current?.metadata.uid);
      if (current && !spec.paused) {
        const oldPods = old.reduce((n, rs) => n + Number(statusOf(rs).replicas ?? 0), 0);
        const recreateWaiting = spec.strategy?.type === 'Recreate' && oldPods > 0;
        scaleReplicaSet(ctx, current, recreateWaiting ? 0 : desired);
        const newReady = Number(
          statusOf(ctx.store.get(replicaSetsType, namespace, current.metadata.name ?? '')).readyReplicas ?? 0,
        );
        if (spec.strategy?.type === 'Recreate' || newReady >= desired)
          for (const rs of old) scaleReplicaSet(ctx, rs, 0);
      }
      const all = ctx.store
        .list(replicaSetsType, namespace)
        .filter((rs) => controllerOf(rs)?.uid === deployment.metadata.uid);
      const sum = (field: string): number => all.reduce((n, rs) => n + Number(statusOf(rs)[field] ?? 0), 0);
      const fresh = all.find((rs) => rs.metadata.uid === current?.metadata.uid);
      const updated = Number(statusOf(fresh).replicas ?? 0);
      const available = sum('availableReplicas');
      const replicas = sum('replicas');
      const complete = updated === desired && replicas === desired && available === desired;
      const now = timestamp();
      const previous = statusOf(deployment).conditions;
      const minAvailable = desired - maxUnavailable(spec, desired);
      const status = {
        observedGeneration: deployment.metadata.generation ?? 1,
        replicas,
        updatedReplicas: updated,
        readyReplicas: sum('readyReplicas'),
        availableReplicas: available,
        ...(desired - available > 0 ? { unavailableReplicas: desired - available } : {}),
        conditions: [
          available >= minAvailable
            ? condition(
                previous,
                'Available',
                'True',
                'MinimumReplicasAvailable',
                'Deployment has minimum availability.',
                now,
              )
            : condition(
                previous,
                'Available',
                'False',
                'MinimumReplicasUnavailable',
                'Deployment does not have minimum availability.',
                now,
              ),
          complete
            ? condition(
                previous,
                'Progressing',
                'True',
                'NewReplicaSetAvailable',
                `ReplicaSet "${fresh?.metadata.name}" has successfully progressed.`,
                now,
              )
            : condition(
                previous,
                'Progressing',
                'True',
                'ReplicaSetUpdated',
                `ReplicaSet "${fresh?.metadata.name}" is progressing.`,
                now,
              ),
        ],
      };
      const revision = fresh?.metadata.annotations?.[REVISION];
      writeStatus(ctx, deploymentsType, deployment, status, revision ? { [REVISION]: revision } : undefined);
    },
  };
}
