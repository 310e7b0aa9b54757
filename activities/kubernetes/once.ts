/**
 * The once-only record of `executeCommands`: the ConfigMap `styrmin-deployment-<id>-once` beside
 * the deployment record, one data entry per run and key whose commands all succeeded, with their
 * results (output tails cut short). Entries are scoped to the lifecycle run (workflow id + run
 * id), so a retried activity or a resumed run finds them, and a later run does not.
 */
import { createHash } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import type { CommandResult, OnceKey } from '../../contract/kubernetes.js';
import { recordMetadata, recordObjectNames } from '../record/codec.js';
import { httpStatusOf, kubeCall, kubeFailure } from './api-errors.js';
import { retryTransient } from './wait.js';

/** Entries kept at most: the current run's always, other runs' newest first up to this count. */
export const maxOnceEntries = 50;
/** Bytes of entries kept at most, well under the 1 MiB a ConfigMap may hold. */
const maxStoredBytes = 512 * 1024;
/** Output bytes one entry keeps in all, and per stdout or stderr tail. */
const entryOutputBytes = 8 * 1024;
const tailBytes = 2 * 1024;
/** Rounds of re-read and write when concurrent writers keep changing the ConfigMap. */
const maxConflictRounds = 10;
/** Longest once-only key a driver may give. */
const maxKeyLength = 200;

/** One command's result as the record keeps it; the command itself comes from the call (its digest is kept). */
export type RecordedResult = Omit<CommandResult, 'command' | 'replayed'>;

/** One recorded success: a run's key, when, for which commands, and what they printed. */
export interface OnceEntry {
  key: string;
  workflowId: string;
  runId: string;
  /** ISO 8601. */
  recordedAt: string;
  /** sha256 of the commands' JSON: a key reused for other commands is refused, not replayed. */
  commands: string;
  results: RecordedResult[];
}

/** Where a key is recorded: the deployment's namespace and the run the key is scoped to. */
export interface OnceScope {
  deploymentId: string;
  namespace: string;
  once: OnceKey;
}

/** Name of the once-only ConfigMap of a deployment: the record's ConfigMap name plus `-once`. */
export function onceConfigMapName(deploymentId: string): string {
  return `${recordObjectNames(deploymentId).configMap}-once`;
}

/** The data key of a run's key: readable first (ConfigMap keys allow `-._a-zA-Z0-9`), then a hash of run and key. */
export function onceDataKey(once: OnceKey): string {
  const readable =
    once.key
      .replace(/[^-._a-zA-Z0-9]+/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 100) || 'key';
  const hash = createHash('sha256')
    .update(JSON.stringify([once.workflowId, once.runId, once.key]))
    .digest('hex');
  return `${readable}.${hash.slice(0, 16)}`;
}

/** Digest of a command list, stored with the entry. */
export function commandsDigest(commands: string[][]): string {
  return createHash('sha256').update(JSON.stringify(commands)).digest('hex');
}

/** Refuses a malformed once-only key before anything runs. */
export function checkOnceKey(once: unknown): asserts once is OnceKey {
  const o = once as Partial<OnceKey> | null;
  const text = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
  if (o && typeof o === 'object' && text(o.key, maxKeyLength) && text(o.workflowId, 1000) && text(o.runId, 1000))
    return;
  throw ApplicationFailure.create({
    type: FailureType.InvalidInput,
    nonRetryable: true,
    message:
      `once must be a non-empty key of at most ${maxKeyLength} characters (e.g. "migrate-to-2.0.0") ` +
      `with the run's workflowId and runId; got ${JSON.stringify(once)?.slice(0, 300)}`,
  });
}

/** The last `limit` bytes of a text; a character cut in half at the start is dropped. */
function lastBytes(text: string, limit: number): { text: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return { text, cut: false };
  return {
    text: bytes
      .subarray(bytes.length - limit)
      .toString('utf8')
      .replace(/^\uFFFD+/, ''),
    cut: true,
  };
}

/** Results as an entry keeps them: at most 8 KiB of output in all, 2 KiB per tail. */
export function recordedResults(results: CommandResult[]): RecordedResult[] {
  const perTail = Math.min(tailBytes, Math.floor(entryOutputBytes / Math.max(1, 2 * results.length)));
  return results.map(({ pod, container, exitCode, stdout, stderr, truncated, durationMs }) => {
    const out = lastBytes(stdout, perTail);
    const err = lastBytes(stderr, perTail);
    return {
      pod,
      container,
      exitCode,
      stdout: out.text,
      stderr: err.text,
      truncated: truncated || out.cut || err.cut,
      durationMs,
    };
  });
}

function isEntry(value: unknown): value is OnceEntry {
  const e = value as Partial<OnceEntry> | null;
  return (
    !!e &&
    typeof e.key === 'string' &&
    typeof e.workflowId === 'string' &&
    typeof e.runId === 'string' &&
    typeof e.recordedAt === 'string' &&
    typeof e.commands === 'string' &&
    Array.isArray(e.results)
  );
}

/** Parses one data value; null when it is not an entry (hand-edited, or written by something else). */
function parseEntry(json: string): OnceEntry | null {
  try {
    const value: unknown = JSON.parse(json);
    return isEntry(value) ? value : null;
  } catch {
    return null;
  }
}

async function readConfigMap(core: CoreV1Api, scope: OnceScope): Promise<V1ConfigMap | null> {
  const { namespace } = scope;
  const name = onceConfigMapName(scope.deploymentId);
  return kubeCall(
    { verb: 'get', resource: 'configmaps', namespace, name },
    () => core.readNamespacedConfigMap({ name, namespace }),
    { notFound: 'null' },
  );
}

/**
 * The run's entry for the key, or undefined when none is recorded. An entry that does not parse
 * fails non-retryably: replaying it is impossible, and running the commands again might be wrong.
 */
export async function findOnceEntry(kc: KubeConfig, scope: OnceScope): Promise<OnceEntry | undefined> {
  const core = kc.makeApiClient(CoreV1Api);
  const configMap = await retryTransient('reading the once-only record', () => readConfigMap(core, scope));
  const dataKey = onceDataKey(scope.once);
  const json = configMap?.data?.[dataKey];
  if (json === undefined) return undefined;
  const entry = parseEntry(json);
  if (!entry) {
    const name = onceConfigMapName(scope.deploymentId);
    throw ApplicationFailure.create({
      type: FailureType.RecordConflict,
      nonRetryable: true,
      message:
        `once key "${scope.once.key}" has an unreadable entry "${dataKey}" in ConfigMap "${name}" (namespace ` +
        `"${scope.namespace}"); delete that entry to let the commands run again, then retry the run`,
      details: [{ deploymentId: scope.deploymentId, namespace: scope.namespace, configMap: name, dataKey }],
    });
  }
  const { key, workflowId, runId } = scope.once;
  // A hash collision of two runs' keys would be a different entry: treat it as none.
  return entry.key === key && entry.workflowId === workflowId && entry.runId === runId ? entry : undefined;
}

function storedBytes(entries: Map<string, OnceEntry>): number {
  let bytes = 0;
  for (const [dataKey, entry] of entries) bytes += dataKey.length + Buffer.byteLength(JSON.stringify(entry));
  return bytes;
}

/**
 * Entries to keep once `added` is in: other runs' oldest go first, down to 50 entries and
 * 512 KiB. The run's own entries are never dropped (that would let a retry run them again); when
 * the run alone is too big, its other entries lose their output instead.
 */
export function boundEntries(entries: Map<string, OnceEntry>, added: string): Map<string, OnceEntry> {
  const run = entries.get(added)!;
  const kept = new Map([...entries].sort(([, a], [, b]) => a.recordedAt.localeCompare(b.recordedAt)));
  const ownRun = (e: OnceEntry) => e.workflowId === run.workflowId && e.runId === run.runId;
  const others = [...kept].filter(([, e]) => !ownRun(e)).map(([k]) => k);
  while (others.length > 0 && (kept.size > maxOnceEntries || storedBytes(kept) > maxStoredBytes))
    kept.delete(others.shift()!);
  const own = [...kept.keys()].filter((k) => k !== added);
  while (own.length > 0 && storedBytes(kept) > maxStoredBytes) {
    const dataKey = own.shift()!;
    const entry = kept.get(dataKey)!;
    kept.set(dataKey, {
      ...entry,
      results: entry.results.map((r) => ({ ...r, stdout: '', stderr: '', truncated: true })),
    });
  }
  return kept;
}

/** The ConfigMap's data with `entry` added and the whole bounded. */
function mergedData(
  stored: Record<string, string> | undefined,
  dataKey: string,
  entry: OnceEntry,
): Record<string, string> {
  const entries = new Map<string, OnceEntry>();
  const unreadable = new Map<string, string>();
  for (const [k, json] of Object.entries(stored ?? {})) {
    const parsed = parseEntry(json);
    if (!parsed) unreadable.set(k, json);
    // An unreadable value counts as the oldest entry of no run, so bounding drops it first; kept, it stays as it was.
    entries.set(k, parsed ?? { key: k, workflowId: '', runId: '', recordedAt: '', commands: '', results: [] });
  }
  entries.set(dataKey, entry);
  unreadable.delete(dataKey);
  const data: Record<string, string> = {};
  for (const [k, e] of boundEntries(entries, dataKey)) data[k] = unreadable.get(k) ?? JSON.stringify(e);
  return data;
}

/** One read-merge-write; 'conflict' when another writer got there first (409, or the ConfigMap went away). */
async function writeOnce(
  core: CoreV1Api,
  scope: OnceScope,
  dataKey: string,
  entry: OnceEntry,
): Promise<'written' | 'conflict'> {
  const { namespace, deploymentId } = scope;
  const name = onceConfigMapName(deploymentId);
  const stored = await readConfigMap(core, scope);
  const meta = recordMetadata(deploymentId);
  const body: V1ConfigMap = {
    metadata: {
      name,
      namespace,
      labels: { ...meta.labels, 'styrmin.io/record-part': 'exec-once' },
      annotations: meta.annotations,
      ...(stored ? { resourceVersion: stored.metadata?.resourceVersion } : {}),
    },
    data: mergedData(stored?.data, dataKey, entry),
  };
  try {
    if (stored) await core.replaceNamespacedConfigMap({ name, namespace, body });
    else await core.createNamespacedConfigMap({ namespace, body });
    return 'written';
  } catch (err) {
    const status = httpStatusOf(err);
    if (status === 409 || (status === 404 && stored)) return 'conflict';
    throw kubeFailure(err, { verb: stored ? 'update' : 'create', resource: 'configmaps', namespace, name });
  }
}

/**
 * Records the run's key with the results of its commands. A write that loses a race (stale
 * resourceVersion, or a create beaten by another) re-reads and merges again, so concurrent keys
 * all survive; transient API errors are retried a few times.
 */
export async function recordOnceEntry(
  kc: KubeConfig,
  scope: OnceScope,
  commands: string[][],
  results: CommandResult[],
): Promise<OnceEntry> {
  const core = kc.makeApiClient(CoreV1Api);
  const { key, workflowId, runId } = scope.once;
  const entry: OnceEntry = {
    key,
    workflowId,
    runId,
    recordedAt: new Date().toISOString(),
    commands: commandsDigest(commands),
    results: recordedResults(results),
  };
  const dataKey = onceDataKey(scope.once);
  for (let round = 1; round <= maxConflictRounds; round++) {
    const outcome = await retryTransient('recording the once-only key', () => writeOnce(core, scope, dataKey, entry));
    if (outcome === 'written') return entry;
  }
  throw ApplicationFailure.create({
    type: FailureType.KubernetesUnavailable,
    message:
      `ConfigMap "${onceConfigMapName(scope.deploymentId)}" in namespace "${scope.namespace}" changed under each of ` +
      `${maxConflictRounds} writes of once key "${key}"; too many concurrent writers`,
  });
}
