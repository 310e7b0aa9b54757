/**
 * Where the Kubernetes tests run: the Kubernetes simulator by default, or the real cluster that
 * `STYRMIN_TEST_KUBECONFIG` points at. Every test gets its own random namespace, so the same
 * tests run unchanged on both.
 */
import { randomBytes } from 'node:crypto';
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { createKubernetesActivities } from '../../activities/kubernetes/index.js';
import { type KubernetesActivities } from '../../contract/activities.js';

const realKubeconfig = process.env.STYRMIN_TEST_KUBECONFIG;

/** True when the tests run against the simulator (no `STYRMIN_TEST_KUBECONFIG`). */
export const onSim = !realKubeconfig;

/**
 * `describe` for tests that need the simulator's fault injection, request log or pod annotations.
 * This is the one condition under which a test does not run: a real cluster has none of them.
 */
export const describeSimOnly = onSim ? describe : describe.skip;

/** A cluster for one test file. */
export interface TestCluster {
  /** The simulator, when the tests run on it. */
  sim: KubeSim | undefined;
  kubeConfig(): KubeConfig;
  /** Path of the kubeconfig file for this cluster. */
  kubeconfigPath: string;
  apps: AppsV1Api;
  core: CoreV1Api;
  batch: BatchV1Api;
  activities: KubernetesActivities;
  /** Seconds a wait may take: short on the simulator, long enough for image pulls on a real cluster. */
  waitSeconds: number;
  /** Seconds for waits that are meant to time out: long enough to see the pods appear. */
  shortWaitSeconds: number;
  /** A new, empty namespace; removed by `close`. */
  newNamespace(): Promise<string>;
  close(): Promise<void>;
}

/** Starts the simulator, or connects to the real cluster named by `STYRMIN_TEST_KUBECONFIG`. */
export async function startTestCluster(): Promise<TestCluster> {
  const sim = realKubeconfig ? undefined : await startKubeSim({ readyDelayMs: 200, terminationDelayMs: 100 });
  const kubeConfig = (): KubeConfig => {
    if (sim) return sim.kubeConfig();
    const kc = new KubeConfig();
    kc.loadFromFile(realKubeconfig as string);
    return kc;
  };
  const kc = kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const namespaces: string[] = [];
  return {
    sim,
    kubeConfig,
    kubeconfigPath: sim ? sim.kubeconfigPath : (realKubeconfig as string),
    apps: kc.makeApiClient(AppsV1Api),
    core,
    batch: kc.makeApiClient(BatchV1Api),
    activities: createKubernetesActivities({ kubeConfig }),
    waitSeconds: sim ? 10 : 180,
    shortWaitSeconds: sim ? 1.5 : 15,
    async newNamespace() {
      const name = `styrmin-test-${randomBytes(4).toString('hex')}`;
      await core.createNamespace({ body: { metadata: { name, labels: { 'styrmin.io/test': 'true' } } } });
      namespaces.push(name);
      return name;
    },
    async close() {
      if (sim) return sim.close();
      await Promise.all(namespaces.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
    },
  };
}
