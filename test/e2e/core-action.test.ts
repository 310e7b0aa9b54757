/**
 * Core semantics: a hook without a core action gets the built-in Helm release step; a driver that
 * declares a core action runs it instead, and the action calls the release step itself.
 */
import { fileURLToPath } from 'node:url';
import type { CommandResult, ComponentStatus } from '../../contract/kubernetes.js';
import type { ReleaseChartResult } from '../../contract/release.js';
import type { RunResult } from '../../contract/progress.js';
import { actionId, activityInputs, uniqueName } from '../support/temporal.js';
import type { EngineHarness } from '../workflows/harness.js';
import { startExampleHarness, type ExampleHarness } from './example-harness.js';
import * as lifecycle from '../../workflows/hooks.js';

let example: ExampleHarness;
let harness: EngineHarness;
beforeAll(async () => {
  example = await startExampleHarness([fileURLToPath(new URL('../fixtures/core-drivers', import.meta.url))]);
  ({ harness } = example);
}, 120_000);
afterAll(async () => example?.close());

describe('core mode', () => {
  it("runs the built-in release step without a core action, and the driver's core action when it has one", async () => {
    const deploymentId = uniqueName('core');
    const namespace = deploymentId;
    const { client } = harness.temporal;
    await harness.withWorker(async (taskQueue) => {
      const setup: RunResult = await client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [{ deploymentId, driver: 'example-app', namespace, parameters: { replicas: 1 } }],
      });
      expect(setup.progress.modes[1]!.actions.map((a) => [a.name, a.state])).toEqual([['helm-release', 'succeeded']]);

      const upgrade: RunResult = await client.workflow.execute(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [{ deploymentId, driver: 'example-app', namespace, targetVersion: '2.0.0' }],
      });
      const core = upgrade.progress.modes[1]!;
      expect(core.actions.map((a) => [a.name, a.workflowType, a.state])).toEqual([
        ['upgrade', 'example-app@5/upgrade', 'succeeded'],
      ]);

      const coreAction = await actionId(client, `${deploymentId}/upgrade`, 'core', 'upgrade');
      const result = (await client.workflow.getHandle(coreAction).result()) as {
        release: ReleaseChartResult;
        stoppedDuringMigration: ComponentStatus[];
        migration: CommandResult[];
      };
      expect(result.release).toMatchObject({ action: 'upgraded', revision: 2, status: 'deployed' });
      // The action called the release step without settings: the driver's helm.timeout and on_failure apply.
      const [releaseInput] = await activityInputs(client, coreAction, 'releaseChart');
      expect(releaseInput).toMatchObject({ timeoutSeconds: 150, onFailure: 'rollback' });
      expect(result.stoppedDuringMigration[0]).toMatchObject({ name: 'task-worker', stopped: true });
      expect(result.migration[0]!.stdout).toContain('database schema is at 2.0.0');
    });
  });
});
