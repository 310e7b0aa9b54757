/** The worker's Kubernetes connection, loaded on first use so a worker can start before a cluster is reachable. */
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../activities/kubernetes/kubeconfig.js';

/** A memoised loader: the first primitive that needs the cluster loads the kubeconfig. */
export function lazyKubeConfig(): () => KubeConfig {
  let loaded: KubeConfig | undefined;
  return () => (loaded ??= loadKubeConfig());
}
