/**
 * Records the histories the replay test guards: a setup, an upgrade and one action of the
 * engine-test driver, run on a throwaway dev server and the Kubernetes API test server.
 * Usage: npx tsx scripts/record-histories.ts   (writes test/replay/histories/*.json)
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startKubeSim } from '../kubesim/index.js';
import { temporalCli } from '../runtime/temporal-cli.js';
import { createStyrminWorker } from '../runtime/styrmin-worker.js';
import { loadDrivers } from '../driver-spec/load.js';
import { searchAttributeKeys } from '../contract/search-attributes.js';
import { repoRoot } from './example-environment.js';

const out = path.join(repoRoot, 'test', 'replay', 'histories');

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCli() }, searchAttributes: searchAttributeKeys },
  });
  const sim = await startKubeSim({ readyDelayMs: 50 });
  try {
    const worker = await createStyrminWorker({
      connection: env.nativeConnection,
      client: env.client,
      taskQueue: 'record-histories',
      drivers: await loadDrivers([path.join(repoRoot, 'test', 'fixtures', 'drivers')]),
      kubeConfig: () => sim.kubeConfig(),
    });
    const base = { deploymentId: 'recorded', driver: 'lab-app', namespace: 'recorded' };
    await worker.runUntil(async () => {
      const start = (type: string, workflowId: string, input: object) =>
        env.client.workflow.execute(type, { taskQueue: 'record-histories', workflowId, args: [input] });
      await start('setup', 'recorded/setup', { ...base, parameters: { owner: 'ops' }, config: { delays: { prepare_a: 200 } } });
      await start('upgrade', 'recorded/upgrade', { ...base, targetVersion: '2.0.0' });
    });
    const save = async (file: string, workflowId: string) => {
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      await writeFile(path.join(out, file), JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) }, null, 1) + '\n');
      console.log(`recorded ${workflowId} -> ${file} (${history.events?.length} events)`);
    };
    await save('setup.json', 'recorded/setup');
    await save('upgrade.json', 'recorded/upgrade');
    await save('action.json', 'recorded/setup/pre/prepare_a');
  } finally {
    await sim.close();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
