/**
 * The deployment record in the cluster (the source of truth): a ConfigMap
 * `styrmin-deployment-<id>` in the deployment's namespace, secret parameters in a Secret beside it.
 */
import { CoreV1Api, type KubeConfig, type V1ConfigMap, type V1Secret } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import { httpStatusOf, kubeCall, kubeFailure, retryTransientFailures } from '../kubernetes/api-errors.js';
import { decodeRecord, encodeRecord, mergeHistory, recordKey, recordMetadata, recordObjectNames } from './codec.js';
import type { DeploymentRecord, ReadDeploymentRecordInput, WriteDeploymentRecordInput } from '../../contract/record.js';

const maxConflictRetries = 5;

/** Reads the record, secret parameter values included; null when the deployment has none. */
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
  let secretData: Record<string, string> | undefined;
  if (/"secretParameters":\s*\{\s*"/.test(json)) {
    const secret = await kubeCall(
      { verb: 'get', resource: 'secrets', namespace, name: names.secret },
      () => core.readNamespacedSecret({ name: names.secret, namespace }),
      { notFound: 'null' },
    );
    secretData = secret?.data;
  }
  const decoded = decodeRecord(json, secretData);
  if ('missingSecretKey' in decoded) {
    throw ApplicationFailure.create({
      type: FailureType.RecordConflict,
      nonRetryable: true,
      message: `deployment record of "${deploymentId}" names secret parameter "${decoded.missingSecretKey}", but Secret "${names.secret}" in namespace "${namespace}" lacks it`,
      details: [{ deploymentId, namespace, secret: names.secret, key: decoded.missingSecretKey }],
    });
  }
  return { ...decoded, resourceVersion: configMap.metadata?.resourceVersion };
}

async function writeSecret(
  core: CoreV1Api,
  input: WriteDeploymentRecordInput,
  data: Record<string, string>,
): Promise<void> {
  const { namespace, deploymentId } = input;
  const name = recordObjectNames(deploymentId).secret;
  const req = { resource: 'secrets', namespace, name };
  if (Object.keys(data).length === 0) {
    await kubeCall({ ...req, verb: 'delete' }, () => core.deleteNamespacedSecret({ name, namespace }), {
      notFound: 'null',
    });
    return;
  }
  const body: V1Secret = { metadata: { name, namespace, ...recordMetadata(deploymentId) }, type: 'Opaque', data };
  // Replace, else create; a create that loses to a concurrent one goes back to replace.
  for (let attempt = 0; ; attempt++) {
    try {
      await core.replaceNamespacedSecret({ name, namespace, body });
      return;
    } catch (err) {
      if (httpStatusOf(err) !== 404) throw kubeFailure(err, { ...req, verb: 'update' });
    }
    try {
      await core.createNamespacedSecret({ namespace, body });
      return;
    } catch (err) {
      if (httpStatusOf(err) !== 409 || attempt >= maxConflictRetries)
        throw kubeFailure(err, { ...req, verb: 'create' });
    }
  }
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
  const { secretData } = encodeRecord(record);
  // The Secret first: the ConfigMap must never name a key the Secret does not hold yet.
  await writeSecret(core, input, secretData);
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
