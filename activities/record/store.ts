/**
 * The deployment record in the cluster (the source of truth): a ConfigMap
 * `styrmin-deployment-<id>` in the deployment's namespace; secret parameter values are in a Secret
 * beside it (activities/secrets), and read as masked here.
 */
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { httpStatusOf, kubeCall, kubeFailure, retryTransientFailures } from '../kubernetes/api-errors.js';
import { decodeRecord, encodeRecord, mergeHistory, recordKey, recordMetadata, recordObjectNames } from './codec.js';
import { storeSecrets } from '../secrets/store.js';
import type { DeploymentRecord, ReadDeploymentRecordInput, WriteDeploymentRecordInput } from '../../contract/record.js';

const maxConflictRetries = 5;

/** Reads the record, secret parameter values masked; null when the deployment has none. */
export async function readDeploymentRecord(
  kc: KubeConfig,
  input: ReadDeploymentRecordInput,
): Promise<DeploymentRecord | null> {
  const { namespace, deploymentId } = input;
  const core = kc.makeApiClient(CoreV1Api);
  const names = recordObjectNames(deploymentId);
  const configMap = await kubeCall(
    { verb: 'get', resource: 'configmaps', namespace, name: names.configMap },
    () => core.readNamespacedConfigMap({ name: names.configMap, namespace }),
    { notFound: 'null' },
  );
  const json = configMap?.data?.[recordKey];
  if (!configMap || json === undefined) return null;
  return { ...decodeRecord(json), resourceVersion: configMap.metadata?.resourceVersion };
}

/**
 * Creates or updates the record. A write whose `resourceVersion` is stale (or that creates a
 * record someone else just created) re-reads the stored one, keeps its runs in the history and
 * tries again. Returns the record as written, with its new resourceVersion. A transient API
 * failure starts the write over at once: repeating it is safe, since a write that did land only
 * makes the next one meet a stale resourceVersion, which is handled as above.
 */
export function writeDeploymentRecord(kc: KubeConfig, input: WriteDeploymentRecordInput): Promise<DeploymentRecord> {
  return retryTransientFailures(() => writeRecordOnce(kc, input));
}

async function writeRecordOnce(kc: KubeConfig, input: WriteDeploymentRecordInput): Promise<DeploymentRecord> {
  const { namespace, deploymentId } = input;
  const core = kc.makeApiClient(CoreV1Api);
  const name = recordObjectNames(deploymentId).configMap;
  let record: DeploymentRecord = { ...input.record, deploymentId, namespace, updatedAt: new Date().toISOString() };
  // Secret values first (only runs started before secrets were kept by reference carry any).
  await storeSecrets(kc, deploymentId, namespace, encodeRecord(record).secretValues);
  for (let attempt = 0; ; attempt++) {
    const body: V1ConfigMap = {
      metadata: { name, namespace, ...recordMetadata(deploymentId), resourceVersion: record.resourceVersion },
      data: { [recordKey]: encodeRecord(record).json },
    };
    try {
      const written = record.resourceVersion
        ? await core.replaceNamespacedConfigMap({ name, namespace, body })
        : await core.createNamespacedConfigMap({ namespace, body });
      return { ...record, resourceVersion: written.metadata?.resourceVersion };
    } catch (err) {
      const status = httpStatusOf(err);
      if ((status !== 409 && !(status === 404 && record.resourceVersion)) || attempt >= maxConflictRetries) {
        throw kubeFailure(err, {
          verb: record.resourceVersion ? 'update' : 'create',
          resource: 'configmaps',
          namespace,
          name,
        });
      }
      const stored = await readDeploymentRecord(kc, { deploymentId, namespace });
      record = {
        ...record,
        history: mergeHistory(stored?.history ?? [], record.history),
        resourceVersion: stored?.resourceVersion,
      };
    }
  }
}
