/** The garbage collector: when an owner is deleted, dependents it solely owned are deleted (background propagation). */
import type { SimContext } from '../context.js';
import { deleteObject } from '../deletion.js';
import { RESOURCE_TYPES, storageKey } from '../resources.js';
import type { Controller } from './manager.js';

const STORED_TYPES = RESOURCE_TYPES.filter(
  (rt, i) => RESOURCE_TYPES.findIndex((o) => storageKey(o) === storageKey(rt)) === i,
);

/** The garbage collector; its keys are the uids of deleted objects. */
export function garbageCollector(ctx: SimContext): Controller {
  return {
    name: 'garbage-collector',
    keysFor: (event) => (event.type === 'DELETED' && event.object.metadata.uid ? [event.object.metadata.uid] : []),
    reconcile: (uid) => {
      for (const rt of STORED_TYPES) {
        for (const obj of ctx.store.list(rt)) {
          const refs = obj.metadata.ownerReferences ?? [];
          if (!refs.some((r) => r.uid === uid)) continue;
          const others = refs.filter((r) => r.uid !== uid);
          if (others.length > 0) {
            obj.metadata.ownerReferences = others;
            ctx.store.put(rt, obj);
          } else if (!obj.metadata.deletionTimestamp) {
            deleteObject(ctx, rt, obj.metadata.namespace, obj.metadata.name ?? '', { propagationPolicy: 'Background' });
          }
        }
      }
    },
  };
}
