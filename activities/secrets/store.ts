/**
 * Secret parameter values in the cluster: the deployment's Secret `styrmin-deployment-<id>-secrets`
 * (one key per parameter, its value as JSON) and the Secrets an input refers to. Values read here
 * go to the activity that needs them and nowhere else: never into a result, a log or a message.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import type { ParameterValue, SecretRef } from '../../contract/lifecycle.js';
import type { RunContext } from '../../contract/run-context.js';
import { secretMask } from '../../contract/secrets.js';
import type { DriverSpec } from '../../driver-spec/types.js';
import { httpStatusOf, kubeCall, kubeFailure } from '../kubernetes/api-errors.js';
import { recordMetadata, recordObjectNames } from '../record/codec.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The values kept in the deployment's Secret, by parameter name; empty when it has none. */
export async function readStoredSecrets(
  kc: KubeConfig,
  deploymentId: string,
  namespace: string,
): Promise<Record<string, ParameterValue>> {
  const name = recordObjectNames(deploymentId).secret;
  const secret = await kubeCall(
    { verb: 'get', resource: 'secrets', namespace, name },
    () => kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace }),
    { notFound: 'null' },
  );
  return Object.fromEntries(
    Object.entries(secret?.data ?? {}).map(([key, encoded]) => [
      key,
      JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as ParameterValue,
    ]),
  );
}

/** Adds or replaces values in the deployment's Secret, creating it when missing; other keys stay. */
export async function storeSecrets(
  kc: KubeConfig,
  deploymentId: string,
  namespace: string,
  values: Record<string, ParameterValue>,
): Promise<void> {
  if (Object.keys(values).length === 0) return;
  const core = kc.makeApiClient(CoreV1Api);
  const name = recordObjectNames(deploymentId).secret;
  const data = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Buffer.from(JSON.stringify(value)).toString('base64')]),
  );
  const req = { resource: 'secrets', namespace, name };
  for (let attempt = 0; ; attempt++) {
    try {
      await core.patchNamespacedSecret({ name, namespace, body: { data } }, mergePatch);
      return;
    } catch (err) {
      if (httpStatusOf(err) !== 404) throw kubeFailure(err, { ...req, verb: 'patch' });
    }
    try {
      const metadata = { name, namespace, ...recordMetadata(deploymentId) };
      await core.createNamespacedSecret({ namespace, body: { metadata, type: 'Opaque', data } });
      return;
    } catch (err) {
      // Created meanwhile by another write: patch it.
      if (httpStatusOf(err) !== 409 || attempt >= 3) throw kubeFailure(err, { ...req, verb: 'create' });
    }
  }
}

/** The value behind `{"secretRef": ...}` for parameter `parameter`; fails without retry when it is not there. */
export async function readReferencedSecret(
  kc: KubeConfig,
  namespace: string,
  parameter: string,
  { secretRef }: SecretRef,
): Promise<string> {
  const { name, key } = secretRef;
  const secret = await kubeCall(
    { verb: 'get', resource: 'secrets', namespace, name },
    () => kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace }),
    { notFound: 'null' },
  );
  const encoded = secret?.data?.[key];
  if (encoded === undefined)
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      nonRetryable: true,
      message: `parameter "${parameter}" refers to key "${key}" of Secret "${name}" in namespace "${namespace}", which ${secret ? 'has no such key' : 'does not exist'}`,
      details: [{ parameter, secret: name, key, namespace }],
    });
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** The names of the parameters a driver declares secret. */
export function secretParameterNames(spec: DriverSpec): string[] {
  return (spec.spec.parameters ?? []).filter((p) => p.secret === true).map((p) => p.name);
}

/**
 * The value of secret parameter `name`: the deployment's Secret's, else the driver's default.
 * Fails without retry when there is neither: the run's record names a value that is gone.
 */
export function secretValue(
  spec: DriverSpec,
  stored: Record<string, ParameterValue>,
  name: string,
  where: { deploymentId: string; namespace: string },
): ParameterValue {
  if (Object.hasOwn(stored, name)) return stored[name]!;
  const declared = (spec.spec.parameters ?? []).find((p) => p.name === name);
  if (declared?.default !== undefined) return declared.default;
  throw ApplicationFailure.create({
    type: FailureType.RecordConflict,
    nonRetryable: true,
    message: `secret parameter "${name}" of deployment "${where.deploymentId}" has no value in Secret "${recordObjectNames(where.deploymentId).secret}" (namespace "${where.namespace}") and no default; give it in the input again`,
    details: [{ ...where, parameter: name }],
  });
}

/** The context with the values of its masked secret parameters, for an activity that renders them. */
export async function withSecretValues(kc: KubeConfig, spec: DriverSpec, context: RunContext): Promise<RunContext> {
  const masked = secretParameterNames(spec).filter((name) => context.parameters[name] === secretMask);
  if (masked.length === 0) return context;
  const { id: deploymentId, namespace } = context.deployment;
  const stored = await readStoredSecrets(kc, deploymentId, namespace);
  const parameters = { ...context.parameters };
  for (const name of masked) parameters[name] = secretValue(spec, stored, name, { deploymentId, namespace });
  return { ...context, parameters };
}
