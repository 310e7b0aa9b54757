/**
 * Recorded histories of `setup` and `upgrade` must replay on today's workflow code without a
 * non-determinism error. Re-record them (`npx tsx scripts/record-histories.ts`) only for a change
 * that is meant to break running workflows, together with a versioning plan.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadDrivers } from '../../driver-spec/load.js';
import { bundleLifecycleWorkflows } from '../../runtime/bundle.js';
import { fixtureDrivers, quietWorkers } from '../workflows/harness.js';

const historiesDir = fileURLToPath(new URL('./histories', import.meta.url));

async function histories(): Promise<Array<{ name: string; workflowId: string; history: unknown }>> {
  const files = (await readdir(historiesDir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (name) => {
      const recorded = JSON.parse(await readFile(path.join(historiesDir, name), 'utf8')) as { workflowId: string; history: unknown };
      return { name, ...recorded };
    }),
  );
}

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  quietWorkers();
  bundle = await bundleLifecycleWorkflows(await loadDrivers([fixtureDrivers]));
});

describe('replay of recorded histories', () => {
  it('has recorded histories of setup, upgrade and an action', async () => {
    const names = (await histories()).map((h) => h.name);
    expect(names).toEqual(expect.arrayContaining(['setup.json', 'upgrade.json', 'action.json']));
  });

  it('replays every recorded history without non-determinism', async () => {
    for (const { name, workflowId, history } of await histories()) {
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).resolves.toBeUndefined();
      expect(name).toBeDefined();
    }
  });

  it('catches a workflow change that breaks recorded runs', async () => {
    const workflowsPath = fileURLToPath(new URL('./changed-workflows.ts', import.meta.url));
    const changed = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
    const setupHistory = (await histories()).find((h) => h.name === 'setup.json')!;
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, setupHistory.history, setupHistory.workflowId)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});
