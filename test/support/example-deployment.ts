/**
 * What the end-to-end tests read of an example-app deployment: the migrations its pods ran (the
 * example image's `example-app` notes each in a file, scripts/real-cluster/exec-path), its Helm
 * history, and the state a run left in the cluster, to compare with an uninterrupted run's.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { findHelm } from '../../activities/helm/binary.js';
import { readDeploymentRecord } from '../../activities/record/store.js';

/** A file for the example image to note migrations in (give it as EXAMPLE_APP_LOG), and its reader. */
export function migrationLog(): { file: string; targetsIn(namespace: string): string[] } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-migrations-')), 'migrations');
  return {
    file,
    /** The target versions of the migrations started in `namespace`, in order. */
    targetsIn: (namespace) =>
      fs.existsSync(file)
        ? fs
            .readFileSync(file, 'utf8')
            .split('\n')
            .map((line) => line.split(' '))
            .filter(([verb, ns]) => verb === 'migrate' && ns === namespace)
            .map(([, , target]) => target!)
        : [],
  };
}

/** A cluster as the tests reach it: the client config and the kubeconfig file helm takes. */
export interface ClusterAccess {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
}

/** The release's revisions (`helm history`), oldest first. */
export async function helmHistory(cluster: ClusterAccess, release: string) {
  const { stdout } = await promisify(execFile)(findHelm(), [
    ...['history', release, '--namespace', release, '--output', 'json'],
    ...['--kubeconfig', cluster.kubeconfigPath],
  ]);
  return JSON.parse(stdout) as Array<{ status: string; chart: string; app_version: string; description: string }>;
}

/**
 * What a run left of the deployment `namespace` (deployment id, namespace and release alike):
 * workloads, the live release, the record and the migrations run. Two runs that ended alike
 * leave equal states, whatever their revisions on the way.
 */
export async function deploymentState(cluster: ClusterAccess, namespace: string, migrations: string[]) {
  const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
  const deployments = (await apps.listNamespacedDeployment({ namespace })).items;
  const record = await readDeploymentRecord(cluster.kubeConfig, { deploymentId: namespace, namespace });
  const history = await helmHistory(cluster, namespace);
  return {
    workloads: deployments.map((d) => ({
      name: d.metadata!.name,
      replicas: d.spec!.replicas,
      ready: d.status?.readyReplicas,
      image: d.spec!.template.spec!.containers[0]!.image!.split(':').pop(),
      stopped: d.metadata!.annotations?.['styrmin.io/replicas-before-stop'],
    })),
    live: history.filter((r) => r.status === 'deployed').map((r) => `${r.chart} (app ${r.app_version})`),
    record: { status: record?.status, appVersion: record?.appVersion, lastRun: record?.history.at(-1)?.status },
    migrations: migrations.length,
  };
}
