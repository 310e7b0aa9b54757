/** The kubeconfig file that points clients (client-node, helm, kubectl) at the simulator. */
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { SIM_USER } from './faults.js';

/** Name of the cluster and of the context in the written kubeconfig. */
const SIM_CONTEXT = 'kubesim';

/** The kubeconfig document for a server URL and bearer token. */
function kubeconfigDocument(url: string, token: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless TLS verification is marked skipped (there is no TLS to verify).
    clusters: [{ name: SIM_CONTEXT, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: SIM_USER, user: { token } }],
    contexts: [{ name: SIM_CONTEXT, context: { cluster: SIM_CONTEXT, user: SIM_USER, namespace: 'default' } }],
    'current-context': SIM_CONTEXT,
    preferences: {},
  };
}

/** Writes the kubeconfig (mode 0600, as helm expects) to `path`, or to a new temporary directory. */
export async function writeKubeconfig(url: string, token: string, path?: string): Promise<string> {
  const target = path ?? join(await mkdtemp(join(tmpdir(), 'kubesim-')), 'kubeconfig');
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, stringify(kubeconfigDocument(url, token)), { mode: 0o600 });
  await chmod(target, 0o600);
  return target;
}
