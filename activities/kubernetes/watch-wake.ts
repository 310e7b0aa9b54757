/**
 * Waking a wait on Kubernetes watch events. A wait's list-based check stays the only source of
 * truth: an event only makes it look again at once instead of after its poll interval, so a missed
 * or dropped watch costs time, never a wrong answer. That is also why no watch resumes from a
 * resourceVersion: a restarted watch begins afresh (no 410 Gone to handle), and its first events
 * only cause one more look.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { ChangeWatch, StartedWatch } from './wait.js';

/** One collection to watch: `/api/v1/namespaces/shop/pods`, optionally narrowed by a label selector. */
export interface WatchedCollection {
  /** API path of the collection, as a list request names it. */
  path: string;
  labelSelector?: string;
}

/** The pods of a namespace (those matching `labelSelector` when given). */
export function watchedPods(namespace: string, labelSelector?: string): WatchedCollection {
  return { path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, labelSelector };
}

/** The Deployments of a namespace matching `labelSelector`. */
export function watchedDeployments(namespace: string, labelSelector: string): WatchedCollection {
  return { path: `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`, labelSelector };
}

/** The StatefulSets of a namespace matching `labelSelector`. */
export function watchedStatefulSets(namespace: string, labelSelector: string): WatchedCollection {
  return { path: `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/statefulsets`, labelSelector };
}

/** First pause before starting a failed watch again, doubled on each failure in a row. */
const firstRestartDelayMs = 200;
/** The longest pause: a watch refused for good (RBAC without `watch`) is asked again this often. */
const longestRestartDelayMs = 30_000;
/** A watch that ends sooner than this counts as failed, so a server that closes watches at once cannot make a tight loop. */
const shortestHealthyWatchMs = 1_000;
/**
 * The server ends each watch after this long and it starts again: a connection a proxy or load
 * balancer dropped without a word lasts no longer than that (the fallback poll covers it meanwhile).
 */
const watchTimeoutSeconds = 240;

/** `HTTP 403 Forbidden`, `connect ECONNREFUSED ...`: why a watch failed, for the wait's log. */
function failureText(err: unknown): string {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  const message = err instanceof Error ? err.message : String(err);
  return typeof status === 'number' ? `HTTP ${status} ${message}` : message;
}

/** One collection's watch, started again whenever it ends until `stop`. */
class CollectionWatch {
  /** Set while the watch is established: the API answered 200 and the stream has not ended. */
  private established: AbortController | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failuresInARow = 0;
  private stopped = false;
  /** Why the last attempt failed; cleared when a watch is established again. */
  problem: string | undefined;

  constructor(
    private readonly watch: Watch,
    private readonly collection: WatchedCollection,
    private readonly wake: () => void,
  ) {}

  get healthy(): boolean {
    return this.established !== undefined;
  }

  async start(): Promise<void> {
    const startedAt = Date.now();
    let ended = false;
    let errorEvent: string | undefined;
    const onEnd = (err: unknown): void => {
      if (ended) return;
      ended = true;
      const wasEstablished = this.established !== undefined;
      this.established = undefined;
      if (this.stopped) return; // our own abort
      const failure = err ? failureText(err) : errorEvent;
      const tooShort = Date.now() - startedAt < shortestHealthyWatchMs;
      if (failure) this.problem = `watching ${this.describe()} failed: ${failure}`;
      this.restartLater(failure !== undefined || tooShort);
      // The wait may be in its long, watched sleep: from its next look on it polls at the short interval.
      if (wasEstablished) this.wake();
    };
    try {
      const query = { labelSelector: this.collection.labelSelector || undefined, timeoutSeconds: watchTimeoutSeconds };
      const controller = await this.watch.watch(
        this.collection.path,
        query,
        (type: string, object: unknown) => {
          if (type === 'BOOKMARK') return;
          // The API server ends the stream after an ERROR event (e.g. 410 Expired); onEnd restarts it.
          if (type === 'ERROR') errorEvent = (object as { message?: string } | undefined)?.message ?? 'ERROR event';
          this.wake();
        },
        onEnd,
      );
      if (this.stopped) {
        controller.abort(); // stopped while the request was on its way
      } else if (!ended) {
        this.established = controller;
        this.problem = undefined;
        // Changes between the wait's last look and this moment came before the watch: look once more.
        this.wake();
      }
    } catch (err) {
      onEnd(err); // no cluster in the KubeConfig, credentials that could not be loaded
    }
  }

  /** Starts the watch again: at once after a healthy watch ended, with a growing pause after a failure. */
  private restartLater(failed: boolean): void {
    this.failuresInARow = failed ? this.failuresInARow + 1 : 0;
    const delay = failed ? Math.min(firstRestartDelayMs * 2 ** (this.failuresInARow - 1), longestRestartDelayMs) : 0;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.start();
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.established?.abort();
    this.established = undefined;
  }

  private describe(): string {
    const { path, labelSelector } = this.collection;
    return labelSelector ? `${path} (${labelSelector})` : path;
  }
}

/**
 * A {@link ChangeWatch} over Kubernetes watches of `collections`: every event (but bookmarks)
 * wakes the wait. Healthy while every watch is established.
 */
export function watchCollections(kc: KubeConfig, collections: WatchedCollection[]): ChangeWatch {
  const unique = [...new Map(collections.map((c) => [`${c.path}?${c.labelSelector ?? ''}`, c])).values()];
  return {
    start(wake) {
      const watch = new Watch(kc);
      const watches = unique.map((c) => new CollectionWatch(watch, c, wake));
      for (const w of watches) void w.start();
      const started: StartedWatch = {
        get healthy() {
          return watches.every((w) => w.healthy);
        },
        get problem() {
          return watches.find((w) => w.problem)?.problem;
        },
        stop: () => watches.forEach((w) => w.stop()),
      };
      return started;
    },
  };
}
