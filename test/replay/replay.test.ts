/**
 * Recorded histories of `setup`, `upgrade` and an action must replay on today's workflow code
 * without a non-determinism error. Each folder of `histories/` is one set, recorded by the
 * workflow code of its time (`npx tsx scripts/record-histories.ts <label>`); older sets stay, so
 * runs an older worker started are known to resume on today's.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadDrivers } from '../../driver-spec/load.js';
import { bundleLifecycleWorkflows } from '../../runtime/bundle.js';
import { workflowTracingModule } from '../../runtime/tracing.js';
import { quietWorkers } from '../../runtime/styrmin-worker.js';
import { fixtureDrivers } from '../workflows/harness.js';

const historiesDir = fileURLToPath(new URL('./histories', import.meta.url));

async function histories(): Promise<Array<{ name: string; workflowId: string; history: unknown }>> {
  const sets = (await readdir(historiesDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  const files = (
    await Promise.all(sets.map(async (set) => (await readdir(path.join(historiesDir, set))).map((f) => `${set}/${f}`)))
  )
    .flat()
    .filter((f) => f.endsWith('.json'))
    .sort();
  return Promise.all(
    files.map(async (name) => {
      const recorded = JSON.parse(await readFile(path.join(historiesDir, name), 'utf8')) as {
        workflowId: string;
        history: unknown;
      };
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
  it('has recorded histories of setup, upgrade, an action and the built-in release step', async () => {
    const names = (await histories()).map((h) => h.name);
    for (const set of ['v1', 'v2', 'v3'])
      expect(names).toEqual(
        expect.arrayContaining(['setup.json', 'upgrade.json', 'action.json'].map((f) => `${set}/${f}`)),
      );
    for (const set of ['v2', 'v3']) expect(names).toContain(`${set}/release-setup.json`);
    expect(names).toContain('v7/decisions-setup.json');
    expect(names).toContain('v8/locked-setup.json');
  });

  it('replays every recorded history without non-determinism', async () => {
    for (const { name, workflowId, history } of await histories()) {
      const replayed = Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId).then(() => name);
      await expect(replayed).resolves.toBe(name);
    }
  });

  // A worker may be restarted with tracing turned on or off while runs are under way.
  it('replays every recorded history with the tracing interceptors bundled too', async () => {
    const drivers = await loadDrivers([fixtureDrivers]);
    const traced = await bundleLifecycleWorkflows(drivers, [workflowTracingModule]);
    const exporter = { export: { fn: () => undefined } };
    for (const { name, workflowId, history } of await histories()) {
      const replayed = Worker.runReplayHistory({ workflowBundle: traced, sinks: { exporter } }, history, workflowId);
      await expect(replayed.then(() => name)).resolves.toBe(name);
    }
  });

  it('catches a workflow change that breaks recorded runs', async () => {
    const workflowsPath = fileURLToPath(new URL('./changed-workflows.ts', import.meta.url));
    const changed = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
    const setupHistory = (await histories()).find((h) => h.name === 'v2/setup.json')!;
    await expect(
      Worker.runReplayHistory({ workflowBundle: changed }, setupHistory.history, setupHistory.workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
