import { FailureType } from '../../contract/failures.js';
import {
  chartImage,
  history,
  readDeployment,
  releaseEnv,
  releaseInput,
  releaseTestTimeoutMs,
  startReleaseHarness,
  v1,
  v11,
  type ReleaseHarness,
} from './release-harness.js';

let h: ReleaseHarness;

beforeAll(async () => {
  h = await startReleaseHarness();
});
afterAll(async () => h?.close());

describe('releaseChart with the real helm', () => {
  it(
    'installs, leaves an identical re-run unchanged, then upgrades to a new chart and app version',
    async () => {
      const ns = await h.cluster.newNamespace();
      const { release, heartbeats, logs } = releaseEnv(h);
      const installed = await release(releaseInput(h, 'setup', { namespace: ns, ...v1 }));
      // helm's output is in the activity log; the values (with the admin password) never are.
      expect(logs).toContainEqual(
        expect.objectContaining({
          message: `helm upgrade ${ns}: exit 0`,
          meta: expect.objectContaining({ stdout: expect.stringContaining('STATUS: deployed') }),
        }),
      );
      expect(JSON.stringify(logs.map(({ message, meta }) => ({ message, meta })))).not.toContain('initial-secret');
      expect(installed).toMatchObject({
        release: ns,
        namespace: ns,
        revision: 1,
        status: 'deployed',
        chart: 'example-app',
        chartVersion: '1.0.0',
        appVersion: v1.appVersion,
        action: 'installed',
      });
      expect(installed.output).toContain('STATUS: deployed');
      expect(heartbeats.length).toBeGreaterThan(0);
      const server = await readDeployment(h, ns, 'server');
      expect(server.spec?.replicas).toBe(2);
      expect(server.spec?.template.spec?.containers[0]?.image).toBe(`${chartImage.repository}:${v1.appVersion}`);
      expect(server.spec?.template.spec?.containers[0]?.env).toContainEqual({
        name: 'EXAMPLE_APP_LOG_FORMAT',
        value: 'json',
      });
      expect((await readDeployment(h, ns, 'task-worker')).spec?.replicas).toBe(2);
      const secret = await h.cluster.core.readNamespacedSecret({ namespace: ns, name: 'example-app-admin' });
      expect(Buffer.from(secret.data?.['admin-password'] ?? '', 'base64').toString()).toBe('initial-secret');

      const again = await release(releaseInput(h, 'setup', { namespace: ns, ...v1 }));
      expect(again).toMatchObject({ revision: 1, action: 'unchanged', status: 'deployed' });

      const upgraded = await release(
        releaseInput(h, 'upgrade', { namespace: ns, ...v11, parameters: { replicas: 3 } }),
      );
      expect(upgraded).toMatchObject({
        revision: 2,
        action: 'upgraded',
        status: 'deployed',
        chartVersion: '1.1.0',
        appVersion: v11.appVersion,
      });
      const upgradedServer = await readDeployment(h, ns, 'server');
      expect(upgradedServer.spec?.template.spec?.containers[0]?.image).toBe(
        `${chartImage.repository}:${v11.appVersion}`,
      );
      expect(upgradedServer.spec?.replicas).toBe(3);
      expect(await history(h, ns)).toEqual([
        { revision: 1, status: 'superseded' },
        { revision: 2, status: 'deployed' },
      ]);
    },
    releaseTestTimeoutMs,
  );

  it("fails with helm's message when the pinned chart version does not exist", async () => {
    const ns = await h.cluster.newNamespace();
    const { release } = releaseEnv(h);
    await expect(
      release(releaseInput(h, 'setup', { namespace: ns, chartVersion: '9.9.9', appVersion: '9.9.9' })),
    ).rejects.toMatchObject({
      type: FailureType.ReleaseFailed,
      message: expect.stringMatching(/example-app-9\.9\.9[\s\S]*9\.9\.9[\s\S]*Release now: not installed/),
    });
  });
});
