/** Creating the deployment's namespace on setup, so the record and the release have a home. */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { httpStatusOf, kubeCall, kubeFailure } from './api-errors.js';

/** Creates the namespace unless it exists; running it twice changes nothing. */
export async function ensureNamespace(kc: KubeConfig, input: { namespace: string }): Promise<{ created: boolean }> {
  const core = kc.makeApiClient(CoreV1Api);
  const { namespace: name } = input;
  const request = { resource: 'namespaces', namespace: name, name };
  const existing = await kubeCall({ ...request, verb: 'get' }, () => core.readNamespace({ name }), {
    notFound: 'null',
  });
  if (existing) return { created: false };
  try {
    await core.createNamespace({ body: { metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'styrmin' } } } });
    return { created: true };
  } catch (err) {
    // Created by someone else between the read and the create: the state we want.
    if (httpStatusOf(err) === 409) return { created: false };
    throw kubeFailure(err, { ...request, verb: 'create' });
  }
}
