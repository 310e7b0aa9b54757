/**
 * Records the histories the replay test guards: a setup, an upgrade and one action of the
 * engine-test driver, a setup of it that waits for an approval and a decision (from v7) and one
 * refused meanwhile because the first holds the lock (from v8), and a
 * setup of the example driver whose core is the built-in release step,
 * run on a throwaway dev server, the Kubernetes API test server and a local chart repository.
 * Usage: npx tsx scripts/record-histories.ts <label>   (writes test/replay/histories/<label>/*.json)
 *
 * Record a new set, under a new label, whenever the shape of what workflows send and receive
 * changes; keep the older sets, so runs started by an older worker are still known to replay.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { approveUpdate, progressQuery, skipUpdate } from '../contract/messages.js';
import { actionWorkflowId } from '../contract/plan.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startThrowawayDevServer } from '../runtime/dev-server.js';
import { createStyrminWorker } from '../runtime/styrmin-worker.js';
import { loadDrivers } from '../driver-spec/load.js';
import { repoRoot, startExampleEnvironment } from './example-environment.js';

const label = process.argv[2];

async function main(): Promise<void> {
  if (!label || !/^[a-z0-9-]+$/.test(label))
    throw new Error('usage: npx tsx scripts/record-histories.ts <label>  (e.g. v3)');
  const out = path.join(repoRoot, 'test', 'replay', 'histories', label);
  await mkdir(out, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await startThrowawayDevServer();
  const example = await startExampleEnvironment({ useConfiguredCluster: false, readyDelayMs: 50 });
  try {
    const worker = await createStyrminWorker({
      connection: env.nativeConnection,
      client: env.client,
      taskQueue: 'record-histories',
      drivers: await loadDrivers([
        path.join(repoRoot, 'test', 'fixtures', 'drivers'),
        path.join(repoRoot, 'drivers', 'example-app'),
      ]),
      kubeConfig: () => example.kubeConfig,
      defaults: { chartLocations: { 'example-app': example.chartRepositoryUrl } },
    });
    const base = { deploymentId: 'recorded', driver: 'lab-app', namespace: 'recorded' };
    await worker.runUntil(async () => {
      const start = (type: string, workflowId: string, input: object) =>
        env.client.workflow.execute(type, { taskQueue: 'record-histories', workflowId, args: [input] });
      await start('setup', 'recorded/setup', {
        ...base,
        parameters: { owner: 'ops' },
        config: { delays: { prepare_a: 200 } },
      });
      await start('upgrade', 'recorded/upgrade', { ...base, targetVersion: '2.0.0' });
      await start('setup', 'recorded-release/setup', {
        deploymentId: 'recorded-release',
        driver: 'example-app',
        namespace: 'recorded-release',
      });
      // A run that waits for an approval, then for a decision on a failed action.
      const decided = await env.client.workflow.start('setup', {
        taskQueue: 'record-histories',
        workflowId: 'recorded-decisions/setup',
        args: [
          {
            ...base,
            deploymentId: 'recorded-decisions',
            parameters: { owner: 'ops' },
            config: { fail: ['verify'] },
            onActionFailure: 'wait',
            approveBefore: ['core'],
          },
        ],
      });
      const statusIs = async (status: string) => {
        while ((await decided.query(progressQuery)).status !== status) await new Promise((r) => setTimeout(r, 100));
      };
      await statusIs('awaiting-approval');
      // A second run of that deployment meanwhile: refused, naming the run that holds the lock.
      await start('setup', 'recorded-decisions/locked-setup', { ...base, deploymentId: 'recorded-decisions' }).catch(
        () => undefined,
      );
      await decided.executeUpdate(approveUpdate, { args: [{ by: 'recorder' }] });
      await statusIs('waiting');
      await decided.executeUpdate(skipUpdate, { args: [{ reason: 'recorded', by: 'recorder' }] });
      await decided.result();
    });
    const save = async (file: string, workflowId: string) => {
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      await writeFile(
        path.join(out, file),
        JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) }, null, 1) + '\n',
      );
      console.log(`recorded ${workflowId} -> ${file} (${history.events?.length} events)`);
    };
    await save('setup.json', 'recorded/setup');
    await save('upgrade.json', 'recorded/upgrade');
    const setup = await env.client.workflow.getHandle('recorded/setup').describe();
    await save('action.json', actionWorkflowId(setup, 'pre', 'prepare_a'));
    await save('release-setup.json', 'recorded-release/setup');
    await save('decisions-setup.json', 'recorded-decisions/setup');
    await save('locked-setup.json', 'recorded-decisions/locked-setup');
  } finally {
    await example.close();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
