/** What every part of the simulator shares: the store, the timing options, address allocation and timers. */
import type { ObjectStore } from './store.js';

/** Timing of the simulated controllers and kubelet. */
export interface SimTiming {
  /** Time a new pod stays Pending before it is Running and Ready (and a Job's pod runs before it completes). */
  readyDelayMs: number;
  /** Time a deleted pod stays Terminating (with deletionTimestamp) before it disappears. */
  terminationDelayMs: number;
}

/** Timers that are all cancelled when the simulator closes. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Runs `fn` after `ms` milliseconds, unless the simulator closed first. */
  after(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.pending.add(timer);
    return timer;
  }

  /** Cancels one timer. */
  cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.pending.delete(timer);
  }

  /** Cancels every timer; later `after` calls never fire. */
  close(): void {
    this.closed = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}

/** Hands out cluster IPs, node ports and pod IPs. */
export class Allocator {
  private serviceCount = 0;
  private podCount = 0;
  private nodePort = 30000;

  /** The next ClusterIP from 10.96.0.0/12. */
  clusterIP(): string {
    const n = ++this.serviceCount;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  }

  /** The next pod IP from 10.244.0.0/16. */
  podIP(): string {
    const n = ++this.podCount;
    return `10.244.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  /** The next NodePort from 30000-32767. */
  nextNodePort(): number {
    return this.nodePort++;
  }
}

/** The shared state of one simulator. */
export interface SimContext {
  store: ObjectStore;
  timing: SimTiming;
  allocator: Allocator;
  timers: Timers;
}

/** Name of the single simulated node every pod is scheduled to. */
export const NODE_NAME = 'kubesim-node';
