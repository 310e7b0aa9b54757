/** WATCH: a chunked stream of `{type, object}` JSON lines, resumable from a resourceVersion. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { withTypeMeta } from '../objects.js';
import { groupVersion, storageKey, type ResourceType } from '../resources.js';
import { parseFieldSelector, parseLabelSelector } from '../selectors.js';
import { failureStatus } from '../status.js';
import type { StoreEvent } from '../store.js';
import type { KubeObject } from '../util.js';

/** Streams watch events for one resource type until the client leaves, `timeoutSeconds` passes or the server closes. */
export function serveWatch(
  ctx: SimContext,
  rt: ResourceType,
  namespace: string | undefined,
  name: string | undefined,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  onClose: (stop: () => void) => () => void,
): void {
  const byLabels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const byFields = parseFieldSelector(query.get('fieldSelector') ?? undefined);
  const selected = (obj: KubeObject | undefined): boolean =>
    obj !== undefined &&
    (!namespace || !rt.namespaced || obj.metadata.namespace === namespace) &&
    (!name || obj.metadata.name === name) &&
    byLabels(obj.metadata.labels ?? {}) &&
    byFields(obj);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  const send = (type: string, object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };

  // An object entering or leaving the selection is ADDED or DELETED for this watcher, as in the API server.
  const deliver = (event: StoreEvent): void => {
    if (storageKey(event.rt) !== storageKey(rt)) return;
    const now = selected(event.object);
    const before = selected(event.previous);
    const object = withTypeMeta(rt, event.object);
    if (event.type === 'DELETED') {
      if (before) send('DELETED', object);
    } else if (event.type === 'ADDED') {
      if (now) send('ADDED', object);
    } else if (now && before) send('MODIFIED', object);
    else if (now) send('ADDED', object);
    else if (before) send('DELETED', object);
  };

  const rv = query.get('resourceVersion');
  const sendInitial = query.get('sendInitialEvents') === 'true';
  if (!rv || rv === '0' || sendInitial) {
    for (const obj of ctx.store.list(rt, rt.namespaced ? namespace : undefined))
      if (selected(obj)) send('ADDED', withTypeMeta(rt, obj));
    if (sendInitial) {
      const bookmark = {
        apiVersion: groupVersion(rt),
        kind: rt.kind,
        metadata: {
          resourceVersion: String(ctx.store.currentRevision),
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      };
      send('BOOKMARK', bookmark);
    }
  } else {
    const from = Number(rv);
    if (!Number.isFinite(from) || from < ctx.store.oldestResumable) {
      send('ERROR', failureStatus(410, 'Expired', `too old resource version: ${rv} (${ctx.store.oldestResumable})`));
      res.end();
      return;
    }
    for (const event of ctx.store.eventsSince(from)) deliver(event);
  }

  const unsubscribe = ctx.store.subscribe(deliver);
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    deregister();
    if (!res.writableEnded) res.end();
  };
  const deregister = onClose(stop);
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  if (timeout > 0) timer = setTimeout(stop, timeout * 1000);
  req.on('close', stop);
  res.on('close', stop);
}
