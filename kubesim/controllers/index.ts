/** All simulated controllers, started together. */
import type { SimContext } from '../context.js';
import { daemonSetController } from './daemonsets.js';
import { deploymentController } from './deployments.js';
import { garbageCollector } from './garbage-collector.js';
import { instantStatusController } from './instant-status.js';
import { jobController } from './jobs.js';
import { ControllerManager } from './manager.js';
import { namespaceController } from './namespaces.js';
import { podLifecycleController } from './pods.js';
import { replicaSetController } from './replicasets.js';
import { statefulSetController } from './statefulsets.js';

/** Starts every controller on the simulator's store. */
export function startControllers(ctx: SimContext): ControllerManager {
  return new ControllerManager(ctx, [
    podLifecycleController(ctx),
    replicaSetController(ctx),
    deploymentController(ctx),
    statefulSetController(ctx),
    daemonSetController(ctx),
    jobController(ctx),
    namespaceController(ctx),
    garbageCollector(ctx),
    instantStatusController(ctx),
  ]);
}
