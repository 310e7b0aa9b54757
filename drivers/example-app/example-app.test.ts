/**
 * example-app's own tests: `npx styrmin driver test drivers/example-app` runs them with the
 * styrmin/testing harness, which serves chart/ as the driver's chart repository. The migration
 * runs the example application's command line from scripts/real-cluster/exec-path.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDriverTest, type DriverTest } from 'styrmin/testing';

let driver: DriverTest;
before(async () => {
  driver = await startDriverTest(import.meta.dirname, {
    commandsPath: [`${import.meta.dirname}/../../scripts/real-cluster/exec-path`],
  });
});
after(async () => {
  await driver?.close();
});

/** Replicas and image of each example-app Deployment, by component. */
async function workloads(namespace: string) {
  const { items } = await driver.apps.listNamespacedDeployment({
    namespace,
    labelSelector: 'app.kubernetes.io/name=example-app',
  });
  return Object.fromEntries(
    items.map((d) => [
      d.metadata?.labels?.['app.kubernetes.io/component'],
      { replicas: d.spec?.replicas, image: d.spec?.template.spec?.containers[0]?.image?.split(':').at(-1) },
    ]),
  );
}

test('setup installs the server and the task worker with the replicas asked for', async () => {
  const setup = await driver.setup({ parameters: { replicas: 2 } });
  assert.equal(setup.status, 'succeeded', setup.failure);
  assert.deepEqual(await workloads(setup.namespace), {
    server: { replicas: 2, image: '1.0.0' },
    'task-worker': { replicas: 2, image: '1.0.0' },
  });
  assert.equal(setup.record?.status, 'deployed');
});

test('upgrade migrates the database to the new version and brings the task worker back', async () => {
  const upgrade = await driver.upgrade({ targetVersion: '2.0.0' });
  assert.equal(upgrade.status, 'succeeded', upgrade.failure);
  const [migration] = (await driver.actionResult(upgrade, 'migrate_and_restart')) as Array<{ stdout: string }>;
  assert.match(migration?.stdout ?? '', /database schema is at 2\.0\.0/);
  assert.deepEqual(await workloads(upgrade.namespace), {
    server: { replicas: 2, image: '2.0.0' },
    'task-worker': { replicas: 2, image: '2.0.0' },
  });
  assert.equal(upgrade.record?.appVersion, '2.0.0');
});

test("setup refuses more server replicas than the spec's maximum, before any action runs", async () => {
  const setup = await driver.setup({ parameters: { replicas: 11 } });
  assert.equal(setup.status, 'failed');
  assert.match(setup.failure ?? '', /replicas.*at most 10/);
  assert.deepEqual(
    setup.progress.modes.flatMap((mode) => mode.actions),
    [],
  );
});
