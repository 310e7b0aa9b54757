/**
 * How a deployment record is laid out in Kubernetes: object names, labels, the ConfigMap's JSON
 * (secret parameters replaced by their key in the Secret, their values kept out of it).
 */
import { createHash } from 'node:crypto';
import { secretMask } from '../../contract/secrets.js';
import type { ParameterValue } from '../../contract/lifecycle.js';
import { recordHistoryLimit, type DeploymentRecord, type RunRecord } from '../../contract/record.js';

/** Data key of the record JSON in the ConfigMap. */
export const recordKey = 'record.json';

/** A DNS label (and label value) for any deployment id; ids that are not one get a hash suffix to stay distinct. */
function safeDeploymentId(deploymentId: string): string {
  const cleaned = deploymentId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (cleaned === deploymentId && cleaned.length <= 40) return cleaned;
  const hash = createHash('sha256').update(deploymentId).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, 31).replace(/-+$/, '')}-${hash}`.replace(/^-/, '');
}

/** Names of the ConfigMap and the Secret of a deployment's record. */
export function recordObjectNames(deploymentId: string): { configMap: string; secret: string } {
  const base = `styrmin-deployment-${safeDeploymentId(deploymentId)}`;
  return { configMap: base, secret: `${base}-secrets` };
}

/** Labels and annotations both objects carry, so operators can find every record with a selector. */
export function recordMetadata(deploymentId: string): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: { 'app.kubernetes.io/managed-by': 'styrmin', 'styrmin.io/deployment': safeDeploymentId(deploymentId) },
    annotations: { 'styrmin.io/deployment-id': deploymentId },
  };
}

/** The record as stored: secret parameter values are absent, `secretParameters` maps each name to its Secret key. */
interface StoredRecord extends Omit<DeploymentRecord, 'secretParameters' | 'resourceVersion'> {
  secretParameters: Record<string, string>;
}

/**
 * Splits a record into the ConfigMap JSON and the values for the Secret. A secret
 * parameter's value is normally masked (the run stored it in the Secret when it started); a run
 * started before secrets were kept by reference still carries it, and it goes to the Secret.
 */
export function encodeRecord(record: DeploymentRecord): {
  json: string;
  secretValues: Record<string, ParameterValue>;
} {
  const { resourceVersion: _rv, secretParameters, parameters, ...rest } = record;
  const plain: Record<string, ParameterValue> = {};
  const secretValues: Record<string, ParameterValue> = {};
  const refs: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (!secretParameters.includes(name)) {
      plain[name] = value;
      continue;
    }
    refs[name] = name; // parameter names are valid Secret keys ([A-Za-z0-9_-])
    if (value !== secretMask) secretValues[name] = value;
  }
  const stored: StoredRecord = {
    ...rest,
    parameters: plain,
    secretParameters: refs,
    history: trimHistory(record.history),
  };
  return { json: JSON.stringify(stored, null, 2), secretValues };
}

/** Rebuilds a record from the ConfigMap JSON, secret parameter values masked (they stay in the Secret). */
export function decodeRecord(json: string): DeploymentRecord {
  const stored = JSON.parse(json) as StoredRecord;
  const secretNames = Object.keys(stored.secretParameters ?? {});
  return {
    ...stored,
    parameters: { ...stored.parameters, ...Object.fromEntries(secretNames.map((name) => [name, secretMask])) },
    secretParameters: secretNames,
    history: stored.history ?? [],
  };
}

function runKey(run: RunRecord): string {
  return `${run.workflowId}/${run.runId}/${run.hook}`;
}

/** Oldest first, at most the history limit. */
function trimHistory(history: RunRecord[]): RunRecord[] {
  return [...history].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-recordHistoryLimit);
}

/** History of a write that lost a race: the stored runs plus the writer's, the writer's entry winning for the same run. */
export function mergeHistory(stored: RunRecord[], mine: RunRecord[]): RunRecord[] {
  const byRun = new Map(stored.map((run) => [runKey(run), run]));
  for (const run of mine) byRun.set(runKey(run), run);
  return trimHistory([...byRun.values()]);
}
