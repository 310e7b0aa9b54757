/**
 * The example driver end to end on the Temporal dev server: setup installs the chart; upgrade
 * stops the task-worker, moves the release to the new version, runs the migration in a server
 * pod and starts the task-worker again. Runs against STYRMIN_TEST_KUBECONFIG's cluster when set.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findHelm } from '../../activities/helm/binary.js';
import { secretMask } from '../../contract/secrets.js';
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { readDeploymentRecord } from '../../activities/record/store.js';
import type { CommandResult, WorkloadChange } from '../../contract/kubernetes.js';
import type { ExampleEnvironment } from '../../scripts/example-environment.js';
import type { RunResult } from '../../contract/progress.js';
import { actionId, uniqueName } from '../support/temporal.js';
import { exampleDrivers, type EngineHarness } from '../workflows/harness.js';
import { startExampleHarness, type ExampleHarness } from './example-harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let example: ExampleHarness;
let harness: EngineHarness;
let environment: ExampleEnvironment;
let apps: AppsV1Api;
beforeAll(async () => {
  example = await startExampleHarness([exampleDrivers]);
  ({ harness, environment } = example);
  apps = environment.kubeConfig.makeApiClient(AppsV1Api);
}, 120_000);
afterAll(async () => example?.close());

const workloads = async (namespace: string) => {
  const list = await apps.listNamespacedDeployment({ namespace, labelSelector: 'app.kubernetes.io/name=example-app' });
  return Object.fromEntries(
    list.items.map((d: V1Deployment) => [
      d.metadata!.name!,
      { replicas: d.spec!.replicas, image: d.spec!.template.spec!.containers[0]!.image },
    ]),
  );
};

describe('the example driver', () => {
  it('sets up, then upgrades with workers stopped around the release and the migration run in a server pod', async () => {
    const deploymentId = uniqueName('shop');
    const namespace = deploymentId;
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const setup: RunResult = await client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [
          {
            deploymentId,
            driver: 'example-app',
            namespace,
            version: '1.0.0',
            parameters: { replicas: 2, admin_password: 's3cret' },
          },
        ],
      });
      expect(setup.progress.modes.map((m) => m.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      const before = await workloads(namespace);
      expect(Object.values(before).map((w) => w.replicas)).toEqual([2, 2]);

      const upgrade: RunResult = await client.workflow.execute(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [{ deploymentId, driver: 'example-app', namespace, targetVersion: '2.0.0' }],
      });
      expect(upgrade.versions).toEqual({ current: '1.0.0', target: '2.0.0' });
      const stopped = (await client.workflow
        .getHandle(await actionId(client, `${deploymentId}/upgrade`, 'pre', 'stop_workers'))
        .result()) as WorkloadChange[];
      expect(stopped).toEqual([expect.objectContaining({ kind: 'Deployment', replicasBefore: 2 })]);
      const migration = (await client.workflow
        .getHandle(await actionId(client, `${deploymentId}/upgrade`, 'post', 'migrate_and_restart'))
        .result()) as CommandResult[];
      expect(migration[0]).toMatchObject({ command: ['example-app', 'migrate', '--to', '2.0.0'], exitCode: 0 });
      expect(migration[0]!.stdout).toContain('database schema is at 2.0.0');

      // Apart from the upgrade itself, the application is as it was: same workloads, same replicas.
      const after = await workloads(namespace);
      expect(Object.keys(after)).toEqual(Object.keys(before));
      for (const [name, workload] of Object.entries(after)) {
        expect(workload.replicas).toBe(before[name]!.replicas);
        expect(workload.image).toMatch(/:2\.0\.0$/);
      }
      const worker = (
        await apps.listNamespacedDeployment({ namespace, labelSelector: 'app.kubernetes.io/component=task-worker' })
      ).items[0]!;
      expect(worker.metadata!.annotations?.['styrmin.io/replicas-before-stop']).toBeUndefined();
      expect(worker.status?.readyReplicas).toBe(2);

      // Every activity of the run and of its actions is scheduled with a summary Temporal Web shows.
      const workflowIds = [
        `${deploymentId}/upgrade`,
        ...upgrade.progress.modes.flatMap((m) => m.actions).map((a) => a.workflowId),
      ];
      const unsummarized: string[] = [];
      for (const workflowId of new Set(workflowIds)) {
        for (const event of (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) {
          const scheduled = event.activityTaskScheduledEventAttributes;
          if (scheduled && !event.userMetadata?.summary?.data?.length)
            unsummarized.push(`${workflowId}: ${scheduled.activityType?.name}`);
        }
      }
      expect(unsummarized).toEqual([]);

      const record = await readDeploymentRecord(environment.kubeConfig, { deploymentId, namespace });
      expect(record).toMatchObject({
        appVersion: '2.0.0',
        status: 'deployed',
        parameters: { admin_password: secretMask },
      });
      // The release rendered the secret from the deployment's Secret, though the upgrade's input had none.
      const { stdout } = await promisify(execFile)(findHelm(), [
        ...['get', 'values', deploymentId, '--namespace', namespace, '--output', 'json'],
        ...['--kubeconfig', environment.kubeconfigPath],
      ]);
      expect(JSON.parse(stdout)).toMatchObject({ adminPassword: 's3cret' });
    });
  });
});
