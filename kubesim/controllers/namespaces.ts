/** The namespace controller: a namespace being deleted is emptied, then removed. */
import type { SimContext } from '../context.js';
import { deleteObject } from '../deletion.js';
import { findByPath, RESOURCE_TYPES, storageKey, type ResourceType } from '../resources.js';
import type { Controller } from './manager.js';

const namespacesType = findByPath('', 'v1', 'namespaces') as ResourceType;

/** One resource type per stored group/resource (versions share objects). */
const NAMESPACED_TYPES = RESOURCE_TYPES.filter(
  (rt, i) => rt.namespaced && RESOURCE_TYPES.findIndex((o) => storageKey(o) === storageKey(rt)) === i,
);

/** The namespace controller. */
export function namespaceController(ctx: SimContext): Controller {
  return {
    name: 'namespace',
    keysFor: (event) => {
      if (event.rt.kind === 'Namespace' && event.type !== 'DELETED' && event.object.metadata.deletionTimestamp)
        return [event.object.metadata.name ?? ''];
      if (event.type === 'DELETED' && event.rt.namespaced && event.object.metadata.namespace)
        return [event.object.metadata.namespace];
      return [];
    },
    reconcile: (name) => {
      const ns = ctx.store.get(namespacesType, undefined, name);
      if (!ns?.metadata.deletionTimestamp) return;
      let remaining = 0;
      for (const rt of NAMESPACED_TYPES) {
        for (const obj of ctx.store.list(rt, name)) {
          remaining++;
          if (!obj.metadata.deletionTimestamp)
            deleteObject(ctx, rt, name, obj.metadata.name ?? '', { propagationPolicy: 'Background' });
          else if ((obj.metadata.finalizers ?? []).length > 0 && rt.kind !== 'Pod') {
            // Nothing else would ever remove these finalizers in the simulator.
            ctx.store.remove(rt, name, obj.metadata.name ?? '');
          }
        }
      }
      if (remaining === 0) ctx.store.remove(namespacesType, undefined, name);
    },
  };
}
