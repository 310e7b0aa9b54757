/** Runs the simulated controllers: store changes enqueue keys, queued keys are reconciled on the next turn. */
import type { StoreEvent } from '../store.js';
import type { SimContext } from '../context.js';

/** A reconciler of one kind of object. */
export interface Controller {
  name: string;
  /** Keys (usually `namespace/name`) to reconcile after a change. */
  keysFor(event: StoreEvent): string[];
  /** Brings the world in line with the object behind `key`; writes go straight to the store. */
  reconcile(key: string): void;
}

/** Queues and runs reconciles; reconciles triggered by other reconciles run on a later turn. */
export class ControllerManager {
  private readonly queues = new Map<Controller, Set<string>>();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(
    ctx: SimContext,
    private readonly controllers: Controller[],
  ) {
    this.unsubscribe = ctx.store.subscribe((event) => {
      for (const controller of controllers) for (const key of controller.keysFor(event)) this.enqueue(controller, key);
    });
  }

  /** Queues one reconcile. */
  enqueue(controller: Controller, key: string): void {
    if (this.stopped) return;
    const queue = this.queues.get(controller) ?? new Set<string>();
    queue.add(key);
    this.queues.set(controller, queue);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Stops reacting to changes. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.scheduled) clearImmediate(this.scheduled);
  }

  private flush(): void {
    this.scheduled = undefined;
    const batch = [...this.queues].map(([controller, keys]) => [controller, [...keys]] as const);
    this.queues.clear();
    for (const [controller, keys] of batch) {
      for (const key of keys) {
        if (this.stopped) return;
        try {
          controller.reconcile(key);
        } catch (err) {
          // A failed reconcile is logged and retried shortly, like a controller's rate-limited requeue.
          process.stderr.write(
            `kubesim: ${controller.name} ${key}: ${err instanceof Error ? err.message : String(err)}\n`,
          );
          setTimeout(() => this.enqueue(controller, key), 100).unref();
        }
      }
    }
  }
}
