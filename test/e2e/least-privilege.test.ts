/**
 * The worker with least privilege: the example driver's setup and upgrade (and the core-action
 * driver's) run to the end as the `styrmin-worker` ServiceAccount of deploy/rbac.yaml, with a
 * token of that account and nothing else; without one of its grants, the run fails at the step
 * that needs it, naming the verb and the resource, without retrying.
 *
 * Needs a real control plane (STYRMIN_TEST_KUBECONFIG, an admin kubeconfig): the Kubernetes API
 * test server has no RBAC, so the test is skipped there.
 */
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { readDeploymentRecord } from '../../activities/record/store.js';
import { FailureType } from '../../contract/failures.js';
import type { CommandResult } from '../../contract/kubernetes.js';
import type { RunResult } from '../../contract/progress.js';
import { startExampleEnvironment, type ExampleEnvironment } from '../../scripts/example-environment.js';
import { actionId, uniqueName } from '../support/temporal.js';
import {
  applyClusterRole,
  applyWorkerRbac,
  canI,
  describeGrant,
  effectiveGrants,
  grantsOf,
  grantAttributes,
  serviceAccountAccess,
  waitForAccess,
  withoutVerb,
  workerClusterRole,
  type Grant,
  type ServiceAccountAccess,
} from '../support/service-account.js';
import { exampleDrivers, startHarness, type EngineHarness } from '../workflows/harness.js';

const adminKubeconfig = process.env.STYRMIN_TEST_KUBECONFIG;
const describeRealCluster = adminKubeconfig ? describe : describe.skip;
const coreDrivers = fileURLToPath(new URL('../fixtures/core-drivers', import.meta.url));

/** Driver revisions: drivers/example-app is "1", the core-action fixture (same driver name) is "5". */
const exampleRevision = '1';
const coreActionRevision = '5';

/** What the negative test takes away: stop_workers (upgrade, pre) scales the task-worker through it. */
const scalePatch: Grant = { apiGroup: 'apps', resource: 'deployments/scale', verb: 'patch' };

describeRealCluster('the worker as the styrmin-worker ServiceAccount (real cluster only: kubesim has no RBAC)', () => {
  let admin: KubeConfig;
  let account: ServiceAccountAccess;
  let environment: ExampleEnvironment;
  let harness: EngineHarness;
  const namespaces: string[] = [];

  beforeAll(async () => {
    admin = new KubeConfig();
    admin.loadFromFile(adminKubeconfig!);
    await applyWorkerRbac(admin);
    account = await serviceAccountAccess(admin);
    // For its chart repository only: the harness's workers get the ServiceAccount's KubeConfig.
    environment = await startExampleEnvironment({ kubeconfigPath: adminKubeconfig });
    harness = await startHarness([exampleDrivers, coreDrivers], {
      kubeConfig: account.kubeConfig,
      defaults: { chartLocations: { 'example-app': environment.chartRepositoryUrl } },
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await environment?.close();
    account?.close();
    const core = admin?.makeApiClient(CoreV1Api);
    await Promise.all(namespaces.map((name) => core?.deleteNamespace({ name }).catch(() => undefined)));
  });

  /** A deployment id, also its namespace, removed after the tests. */
  const newDeployment = (prefix: string) => {
    const deploymentId = uniqueName(prefix);
    namespaces.push(deploymentId);
    return deploymentId;
  };

  const setup = (taskQueue: string, deploymentId: string, driverVersion: string): Promise<RunResult> =>
    harness.temporal.client.workflow.execute('setup', {
      taskQueue,
      workflowId: `${deploymentId}/setup`,
      args: [
        {
          deploymentId,
          driver: 'example-app',
          driverVersion,
          namespace: deploymentId,
          version: '1.0.0',
          parameters: { replicas: 2 },
        },
      ],
    });

  const upgrade = (taskQueue: string, deploymentId: string, driverVersion: string): Promise<RunResult> =>
    harness.temporal.client.workflow.execute('upgrade', {
      taskQueue,
      workflowId: `${deploymentId}/upgrade`,
      args: [{ deploymentId, driver: 'example-app', driverVersion, namespace: deploymentId, targetVersion: '2.0.0' }],
    });

  const modeStates = (run: RunResult) => run.progress.modes.map((m) => m.state);

  /** The images of the example Deployments, read with the admin credentials. */
  const images = async (namespace: string) => {
    const list = await admin.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace });
    return list.items.map((d) => d.spec!.template.spec!.containers[0]!.image).sort();
  };

  it('holds exactly the rights of deploy/rbac.yaml', async () => {
    // As the API server sees the token: the ClusterRole's grants, in any namespace, and nothing more.
    const expected = grantsOf(workerClusterRole().rules ?? []);
    expect(await effectiveGrants(account.kubeConfig, 'default')).toEqual(expected);
    for (const outside of [
      { verb: 'delete', resource: 'namespaces' },
      { verb: 'list', resource: 'nodes' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'default' },
    ]) {
      expect([outside, await canI(account.kubeConfig, outside)]).toEqual([outside, false]);
    }
  });

  it('sets up and upgrades the example driver with the ServiceAccount token', async () => {
    const deploymentId = newDeployment('lp-example');
    await harness.withWorker(async (taskQueue) => {
      expect(modeStates(await setup(taskQueue, deploymentId, exampleRevision))).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
      ]);
      const upgraded = await upgrade(taskQueue, deploymentId, exampleRevision);
      expect(modeStates(upgraded)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      const migration = (await harness.temporal.client.workflow
        .getHandle(await actionId(harness.temporal.client, `${deploymentId}/upgrade`, 'post', 'migrate_and_restart'))
        .result()) as CommandResult[];
      expect(migration[0]!.stdout).toContain('database schema is at 2.0.0');
    });
    expect(await images(deploymentId)).toEqual([
      expect.stringMatching(/:2\.0\.0$/),
      expect.stringMatching(/:2\.0\.0$/),
    ]);
    const record = await readDeploymentRecord(admin, { deploymentId, namespace: deploymentId });
    expect(record).toMatchObject({ appVersion: '2.0.0', status: 'deployed' });
  }, 300_000);

  it('sets up and upgrades the core-action driver (the action moves the release itself) with the token', async () => {
    const deploymentId = newDeployment('lp-core');
    await harness.withWorker(async (taskQueue) => {
      expect(modeStates(await setup(taskQueue, deploymentId, coreActionRevision))).toEqual([
        'skipped',
        'succeeded',
        'skipped',
      ]);
      const upgraded = await upgrade(taskQueue, deploymentId, coreActionRevision);
      expect(modeStates(upgraded)).toEqual(['skipped', 'succeeded', 'skipped']);
      expect(upgraded.progress.modes[1]!.actions.map((a) => a.workflowType)).toEqual(['example-app@5/upgrade']);
    });
    expect(await images(deploymentId)).toEqual([
      expect.stringMatching(/:2\.0\.0$/),
      expect.stringMatching(/:2\.0\.0$/),
    ]);
  }, 300_000);

  it(`fails the upgrade at once, naming the verb and the resource, without ${describeGrant(scalePatch)}`, async () => {
    const deploymentId = newDeployment('lp-denied');
    const fullRole = workerClusterRole();
    const attributes = grantAttributes(scalePatch, deploymentId);
    await harness.withWorker(async (taskQueue) => {
      await setup(taskQueue, deploymentId, exampleRevision);
      await applyClusterRole(admin, withoutVerb(fullRole, scalePatch));
      try {
        await waitForAccess(account.kubeConfig, attributes, false);
        const failure = await upgrade(taskQueue, deploymentId, exampleRevision).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
        expect(cause.type).toBe(FailureType.ModeFailed);
        expect(cause.message).toContain('stopped in mode pre');
        expect(cause.message).toContain(
          `stop_workers: [${FailureType.KubernetesRequestRejected}] Kubernetes refused to patch deployments/scale "task-worker" in namespace "${deploymentId}" (HTTP 403)`,
        );
        expect(cause.message).toContain(
          `User "${account.username}" cannot patch resource "deployments/scale" in API group "apps" in the namespace "${deploymentId}"`,
        );
      } finally {
        await applyClusterRole(admin, fullRole);
        await waitForAccess(account.kubeConfig, attributes, true);
      }
    });
    // The primitive failed once, non-retryably: no second attempt asked again.
    const history = await harness.temporal.client.workflow
      .getHandle(await actionId(harness.temporal.client, `${deploymentId}/upgrade`, 'pre', 'stop_workers'))
      .fetchHistory();
    const started = history.events!.flatMap((e) => e.activityTaskStartedEventAttributes ?? []);
    const failed = history.events!.flatMap((e) => e.activityTaskFailedEventAttributes ?? []);
    expect(started.map((e) => e.attempt)).toEqual([1]);
    expect(failed.map((e) => e.failure?.applicationFailureInfo)).toEqual([
      expect.objectContaining({ type: FailureType.KubernetesRequestRejected, nonRetryable: true }),
    ]);
    expect(failed[0]!.failure?.message).toContain('cannot patch resource "deployments/scale"');
    // Nothing was scaled: the release never moved and the record says the upgrade failed.
    expect(await images(deploymentId)).toEqual([
      expect.stringMatching(/:1\.0\.0$/),
      expect.stringMatching(/:1\.0\.0$/),
    ]);
    const record = await readDeploymentRecord(admin, { deploymentId, namespace: deploymentId });
    expect(record).toMatchObject({ appVersion: '1.0.0' });
  }, 300_000);
});
