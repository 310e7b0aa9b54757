import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { FailureType } from '../../contract/failures.js';
import { loadKubeConfig } from '../../activities/kubernetes/kubeconfig.js';
import { createKubernetesActivities } from '../../activities/kubernetes/index.js';
import { startTestCluster } from '../support/cluster.js';
import { createDeployment } from './workloads.js';
import { runActivity } from './fixtures.js';

const kubeconfigYaml = (server: string) => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u, namespace: default } }]
current-context: x
`;

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'styrmin-kubeconfig-'));
}

async function failureOf(fn: () => unknown): Promise<ApplicationFailure> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('loadKubeConfig', () => {
  it('fails with KubeConfigMissing naming the path when KUBECONFIG points nowhere', async () => {
    const failure = await failureOf(() =>
      loadKubeConfig({ env: { KUBECONFIG: '/nowhere/kubeconfig' }, homeDir: tempDir() }),
    );
    expect(failure.type).toBe(FailureType.KubeConfigMissing);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('/nowhere/kubeconfig');
  });

  it('lists every place it tried when there is no configuration at all, and never falls back to localhost:8080', async () => {
    const home = tempDir();
    const failure = await failureOf(() => loadKubeConfig({ env: {}, homeDir: home, rootDir: home }));
    expect(failure.type).toBe(FailureType.KubeConfigMissing);
    expect(failure.message).toContain('KUBECONFIG (unset)');
    expect(failure.message).toContain(path.join(home, '.kube', 'config'));
    expect(failure.message).toContain('KUBERNETES_SERVICE_HOST unset');
    expect(failure.message).not.toContain('8080');
  });

  it('reports an unreadable KUBECONFIG file as KubeConfigMissing', async () => {
    const file = path.join(tempDir(), 'config');
    writeFileSync(file, 'clusters: [this is: not: yaml');
    const failure = await failureOf(() => loadKubeConfig({ env: { KUBECONFIG: file } }));
    expect(failure.type).toBe(FailureType.KubeConfigMissing);
    expect(failure.message).toContain(file);
  });

  it('reads KUBECONFIG, else ~/.kube/config, else the in-cluster service account', () => {
    const dir = tempDir();
    const file = path.join(dir, 'explicit');
    writeFileSync(file, kubeconfigYaml('https://explicit.example:6443'));
    expect(loadKubeConfig({ env: { KUBECONFIG: file } }).getCurrentCluster()?.server).toBe(
      'https://explicit.example:6443',
    );

    mkdirSync(path.join(dir, '.kube'));
    writeFileSync(path.join(dir, '.kube', 'config'), kubeconfigYaml('https://home.example:6443'));
    expect(loadKubeConfig({ env: {}, homeDir: dir }).getCurrentCluster()?.server).toBe('https://home.example:6443');

    const root = tempDir();
    const sa = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(path.join(sa, 'token'), 'token');
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(loadKubeConfig({ env, homeDir: tempDir(), rootDir: root }).getCurrentCluster()?.server).toBe(
      'https://10.0.0.1:443',
    );
  });

  it('fails the activity, not the worker, when the configuration is missing', async () => {
    const activities = createKubernetesActivities({
      kubeConfig: () => loadKubeConfig({ env: { KUBECONFIG: '/nowhere/kubeconfig' } }),
    });
    const input = { deploymentId: 'd', namespace: 'ns', components: [{ name: 'web', selector: { app: 'web' } }] };
    const failure = await failureOf(() => new MockActivityEnvironment().run(activities.getComponentStatus, input));
    expect(failure.type).toBe(FailureType.KubeConfigMissing);
  });

  it('connects the activities through the file KUBECONFIG names', async () => {
    const cluster = await startTestCluster();
    try {
      const namespace = await cluster.newNamespace();
      await createDeployment(cluster, namespace, 'web', { app: 'web' }, 1);
      const activities = createKubernetesActivities({
        kubeConfig: () => loadKubeConfig({ env: { KUBECONFIG: cluster.kubeconfigPath } }),
      });
      const input = { deploymentId: 'd', namespace, components: [{ name: 'web', selector: { app: 'web' } }] };
      const [status] = await runActivity(activities.getComponentStatus, input);
      expect(status?.workloads).toEqual([
        expect.objectContaining({ kind: 'Deployment', name: 'web', desiredReplicas: 1 }),
      ]);
    } finally {
      await cluster.close();
    }
  });
});
