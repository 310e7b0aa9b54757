import { createRecordActivities } from '../../activities/record/index.js';
import { recordObjectNames } from '../../activities/record/codec.js';
import type { DeploymentRecord, RunRecord } from '../../contract/record.js';
import { FailureType } from '../../contract/failures.js';
import { secretMask } from '../../contract/secrets.js';
import type { DriverSpec } from '../../driver-spec/types.js';
import { readStoredSecrets, secretValue } from '../../activities/secrets/store.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
let activities: ReturnType<typeof createRecordActivities>;
let namespace: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  namespace = await cluster.newNamespace();
  activities = createRecordActivities({ kubeConfig: cluster.kubeConfig });
});
afterAll(async () => cluster?.close());

const readConfigMap = (name: string) => cluster.core.readNamespacedConfigMap({ namespace, name });
const readSecret = (name: string) => cluster.core.readNamespacedSecret({ namespace, name });

function run(n: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    hook: n === 1 ? 'setup' : 'upgrade',
    workflowId: `deploy-${n}`,
    runId: `run-${n}`,
    toVersion: `1.0.${n}`,
    status: 'succeeded',
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    endedAt: new Date(Date.UTC(2026, 0, 1, 0, n, 30)).toISOString(),
    ...overrides,
  };
}

function record(deploymentId: string, overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    deploymentId,
    driver: 'example-app',
    driverVersion: '1',
    appVersion: '1.0.0',
    namespace,
    release: deploymentId,
    status: 'deployed',
    parameters: { replicas: 2, log_level: 'info', admin_password: 'hunter2-very-secret', enable_metrics: true },
    secretParameters: ['admin_password'],
    config: { components: { server: { args: ['--debug'] } } },
    history: [run(1)],
    ...overrides,
  };
}

describe('deployment record', () => {
  it('reads null for a deployment without a record', async () => {
    expect(await activities.readDeploymentRecord({ deploymentId: 'nothing-here', namespace })).toBeNull();
  });

  it('creates the record as a labelled ConfigMap, the secret parameter only in a Secret', async () => {
    const written = await activities.writeDeploymentRecord({
      deploymentId: 'shop-a',
      namespace,
      record: record('shop-a'),
    });
    expect(written.resourceVersion).toBeTruthy();
    const names = recordObjectNames('shop-a');
    expect(names).toEqual({ configMap: 'styrmin-deployment-shop-a', secret: 'styrmin-deployment-shop-a-secrets' });
    const configMap = await readConfigMap(names.configMap);
    expect(configMap.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'styrmin',
      'styrmin.io/deployment': 'shop-a',
    });
    expect(JSON.stringify(configMap)).not.toContain('hunter2-very-secret');
    const stored = JSON.parse(configMap.data?.['record.json'] ?? '');
    expect(stored.parameters).toEqual({ replicas: 2, log_level: 'info', enable_metrics: true });
    expect(stored.secretParameters).toEqual({ admin_password: 'admin_password' });
    const secret = await readSecret(names.secret);
    expect(JSON.parse(Buffer.from(secret.data?.admin_password ?? '', 'base64').toString())).toBe('hunter2-very-secret');

    const read = await activities.readDeploymentRecord({ deploymentId: 'shop-a', namespace });
    // Read back, the secret value is masked: it stays in the Secret for the activities that need it.
    const expected = record('shop-a');
    expect(read).toMatchObject({
      ...expected,
      parameters: { ...expected.parameters, admin_password: secretMask },
      resourceVersion: written.resourceVersion,
    });
  });

  it('updates at the read resourceVersion and keeps the last ten runs', async () => {
    await activities.writeDeploymentRecord({ deploymentId: 'shop-b', namespace, record: record('shop-b') });
    let current = (await activities.readDeploymentRecord({ deploymentId: 'shop-b', namespace }))!;
    for (let n = 2; n <= 12; n++) {
      current = await activities.writeDeploymentRecord({
        deploymentId: 'shop-b',
        namespace,
        record: { ...current, appVersion: `1.0.${n}`, history: [...current.history, run(n)] },
      });
    }
    const read = (await activities.readDeploymentRecord({ deploymentId: 'shop-b', namespace }))!;
    expect(read.appVersion).toBe('1.0.12');
    expect(read.history.map((r) => r.workflowId)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => `deploy-${n}`));
  });

  it('merges the history of a write that lost a race instead of dropping the other run', async () => {
    await activities.writeDeploymentRecord({ deploymentId: 'shop-c', namespace, record: record('shop-c') });
    const base = (await activities.readDeploymentRecord({ deploymentId: 'shop-c', namespace }))!;
    await activities.writeDeploymentRecord({
      deploymentId: 'shop-c',
      namespace,
      record: { ...base, history: [...base.history, run(2)] },
    });
    // A second writer still holds the old resourceVersion.
    const late = await activities.writeDeploymentRecord({
      deploymentId: 'shop-c',
      namespace,
      record: {
        ...base,
        status: 'in-progress',
        history: [...base.history, run(3, { status: 'in-progress', endedAt: undefined })],
      },
    });
    expect(late.resourceVersion).not.toBe(base.resourceVersion);
    const read = (await activities.readDeploymentRecord({ deploymentId: 'shop-c', namespace }))!;
    expect(read.status).toBe('in-progress');
    expect(read.history.map((r) => r.workflowId)).toEqual(['deploy-1', 'deploy-2', 'deploy-3']);
  });

  it('turns a second create into an update', async () => {
    const first = activities.writeDeploymentRecord({ deploymentId: 'shop-d', namespace, record: record('shop-d') });
    const second = activities.writeDeploymentRecord({
      deploymentId: 'shop-d',
      namespace,
      record: record('shop-d', { history: [run(2)] }),
    });
    await Promise.all([first, second]);
    const read = (await activities.readDeploymentRecord({ deploymentId: 'shop-d', namespace }))!;
    expect(read.history.map((r) => r.workflowId)).toEqual(['deploy-1', 'deploy-2']);
  });

  it('gives an id that is not a DNS label a safe, distinct name', async () => {
    const id = 'Shop_Prod/EU';
    await activities.writeDeploymentRecord({
      deploymentId: id,
      namespace,
      record: record(id, { secretParameters: [] }),
    });
    const names = recordObjectNames(id);
    expect(names.configMap).toMatch(/^styrmin-deployment-shop-prod-eu-[0-9a-f]{8}$/);
    expect(recordObjectNames('shop-prod-eu').configMap).toBe('styrmin-deployment-shop-prod-eu');
    const configMap = await readConfigMap(names.configMap);
    expect(configMap.metadata?.annotations?.['styrmin.io/deployment-id']).toBe(id);
    expect((await activities.readDeploymentRecord({ deploymentId: id, namespace }))?.parameters.admin_password).toBe(
      'hunter2-very-secret',
    );
    await expect(readSecret(names.secret)).rejects.toMatchObject({ code: 404 });
  });

  it('reads a record whose Secret is gone; a run that needs the lost value fails as RecordConflict', async () => {
    await activities.writeDeploymentRecord({ deploymentId: 'shop-e', namespace, record: record('shop-e') });
    await cluster.core.deleteNamespacedSecret({ name: recordObjectNames('shop-e').secret, namespace });
    const read = await activities.readDeploymentRecord({ deploymentId: 'shop-e', namespace });
    expect(read?.parameters.admin_password).toBe(secretMask);
    const spec = { spec: { parameters: [{ name: 'admin_password', kind: 'string', secret: true }] } } as DriverSpec;
    const stored = await readStoredSecrets(cluster.kubeConfig(), 'shop-e', namespace);
    expect(() => secretValue(spec, stored, 'admin_password', { deploymentId: 'shop-e', namespace })).toThrow(
      expect.objectContaining({
        type: FailureType.RecordConflict,
        message: expect.stringContaining('secret parameter "admin_password" of deployment "shop-e" has no value'),
      }),
    );
  });
});
