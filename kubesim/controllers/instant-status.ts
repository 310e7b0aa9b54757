/** Objects whose infrastructure is ready at once: LoadBalancer Services get an address, claims are bound. */
import type { SimContext } from '../context.js';
import { findByPath, type ResourceType } from '../resources.js';
import { isObject } from '../util.js';
import type { Controller } from './manager.js';
import { splitKey, statusOf, writeStatus } from './workload-helpers.js';

const servicesType = findByPath('', 'v1', 'services') as ResourceType;
const claimsType = findByPath('', 'v1', 'persistentvolumeclaims') as ResourceType;

/** The controller binding claims and provisioning load balancers. */
export function instantStatusController(ctx: SimContext): Controller {
  return {
    name: 'instant-status',
    keysFor: (event) =>
      event.type !== 'DELETED' && (event.rt.kind === 'Service' || event.rt.kind === 'PersistentVolumeClaim')
        ? [`${event.rt.kind}:${event.object.metadata.namespace}/${event.object.metadata.name}`]
        : [],
    reconcile: (key) => {
      const [kind, rest] = key.split(':') as [string, string];
      const [namespace, name] = splitKey(rest);
      if (kind === 'Service') {
        const svc = ctx.store.get(servicesType, namespace, name);
        const spec = svc && isObject(svc.spec) ? svc.spec : {};
        if (svc && spec.type === 'LoadBalancer')
          writeStatus(ctx, servicesType, svc, { loadBalancer: { ingress: [{ ip: '127.0.0.1', ipMode: 'VIP' }] } });
        return;
      }
      const claim = ctx.store.get(claimsType, namespace, name);
      if (!claim || statusOf(claim).phase === 'Bound') return;
      const spec = isObject(claim.spec) ? claim.spec : {};
      const requests = isObject(spec.resources) && isObject(spec.resources.requests) ? spec.resources.requests : {};
      writeStatus(ctx, claimsType, claim, {
        phase: 'Bound',
        accessModes: spec.accessModes ?? ['ReadWriteOnce'],
        capacity: { storage: requests.storage ?? '1Gi' },
      });
    },
  };
}
