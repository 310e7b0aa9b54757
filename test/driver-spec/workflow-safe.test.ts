/**
 * The pure spec modules (plan, validate-input, versions) run inside Temporal workflow code:
 * bundled by the Temporal bundler and executed by a real worker on the dev server.
 */
import { fileURLToPath } from 'node:url';
import { Worker, bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { loadDriver } from '../../driver-spec/load.js';
import { planHook } from '../../driver-spec/plan.js';
import { validateHookInput } from '../../driver-spec/validate-input.js';
import { connectToTestServer, uniqueName } from '../support/temporal.js';
import { repoRoot } from './helpers.js';

const workflowsPath = fileURLToPath(new URL('../fixtures/specs/workflow-safe/workflows.ts', import.meta.url));

describe('spec modules in workflow code', () => {
  it('plans and validates inside a workflow exactly as outside', async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // a runtime is already installed in this process
    }
    const driver = await loadDriver(`${repoRoot}drivers/example-app`);
    const bundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    const temporal = await connectToTestServer();
    const taskQueue = uniqueName('spec-workflow-safe');
    try {
      const worker = await Worker.create({ connection: temporal.nativeConnection, taskQueue, workflowBundle: bundle });
      const result = await worker.runUntil(
        temporal.client.workflow.execute('planInsideWorkflow', {
          taskQueue,
          workflowId: taskQueue,
          args: [driver.spec, '2.4'],
        }),
      );
      expect(result).toEqual({
        plan: planHook(driver, 'upgrade'),
        input: validateHookInput(driver.spec, 'upgrade', { targetVersion: '2.4', parameters: { replicas: '2' } }),
        supported: true,
        newer: 1,
      });
    } finally {
      await temporal.close();
    }
  });
});
