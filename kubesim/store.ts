/** The object store: every object by resource and key, a global resourceVersion counter and change events. */
import { storageKey, type ResourceType } from './resources.js';
import { clone, objectKey, type KubeObject } from './util.js';

/** The type of a change, as watch events name it. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change to one object; `object` carries the resourceVersion the change was given. */
export interface StoreEvent {
  type: ChangeType;
  rt: ResourceType;
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: KubeObject;
  resourceVersion: number;
}

/** Called synchronously after every change. */
export type StoreListener = (event: StoreEvent) => void;

const HISTORY_LIMIT = 10_000;

/** In-memory objects of every resource type, with change history for resuming watches. */
export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<StoreListener>();
  private readonly history: StoreEvent[] = [];
  private revision = 1000;

  /** The latest resourceVersion handed out. */
  get currentRevision(): number {
    return this.revision;
  }

  /** The oldest resourceVersion from which a watch can still resume. */
  get oldestResumable(): number {
    const first = this.history[0];
    return first ? first.resourceVersion - 1 : this.revision;
  }

  /** Events after the given resourceVersion, oldest first. */
  eventsSince(resourceVersion: number): StoreEvent[] {
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A copy of one object, if present. */
  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(rt).get(objectKey(rt.namespaced ? namespace : undefined, name));
    return found ? clone(found) : undefined;
  }

  /** Copies of all objects of a type, in one namespace or all, sorted by namespace and name. */
  list(rt: ResourceType, namespace?: string): KubeObject[] {
    const all = [...this.bucket(rt).values()].filter(
      (o) => !namespace || !rt.namespaced || o.metadata.namespace === namespace,
    );
    return all
      .sort((a, b) =>
        objectKey(a.metadata.namespace, a.metadata.name ?? '').localeCompare(
          objectKey(b.metadata.namespace, b.metadata.name ?? ''),
        ),
      )
      .map((o) => clone(o));
  }

  /** Stores a new or changed object, giving it the next resourceVersion; returns the stored copy. */
  put(rt: ResourceType, object: KubeObject): KubeObject {
    const key = objectKey(rt.namespaced ? object.metadata.namespace : undefined, object.metadata.name ?? '');
    const bucket = this.bucket(rt);
    const previous = bucket.get(key);
    const stored = clone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(key, stored);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', rt, object: stored, previous, resourceVersion: this.revision });
    return clone(stored);
  }

  /** Removes an object; the DELETED event carries a new resourceVersion, as the API server's does. */
  remove(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = objectKey(rt.namespaced ? namespace : undefined, name);
    const bucket = this.bucket(rt);
    const previous = bucket.get(key);
    if (!previous) return undefined;
    bucket.delete(key);
    const gone = clone(previous);
    gone.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', rt, object: gone, previous, resourceVersion: this.revision });
    return clone(gone);
  }

  private bucket(rt: ResourceType): Map<string, KubeObject> {
    const key = storageKey(rt);
    let bucket = this.objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    return bucket;
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const listener of [...this.listeners]) listener(event);
  }
}
