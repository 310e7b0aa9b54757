/**
 * Overhead against the floor: the same shape twice on one dev server, interleaved so both meet the
 * same machine load — a Styrmin `setup` of a driver with 3 modes × 4 no-op actions, and a bare
 * Temporal workflow that starts 3 waves of 4 no-op child workflows. Prints median and p95 of each,
 * their ratio, against the target (Styrmin ≤ 1.3× the floor).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../contract/progress.js';
import { loadDrivers } from '../driver-spec/load.js';
import { startBenchEnvironment } from './environment.js';
import { ms, type BenchPart } from './report.js';
import { markdownTable, percentile } from './stats.js';

const modes = ['pre', 'core', 'post'] as const;
const width = 4;
const driverName = 'overhead-bench';
/** The target: Styrmin's run at most this many times the floor's. */
const targetRatio = 1.3;

/** A driver whose setup has 4 no-op actions in each of pre, core and post, and no chart. */
async function writeNoopDriver(): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'styrmin-overhead-')), driverName);
  await mkdir(dir);
  const actions = modes.flatMap((mode) =>
    Array.from(
      { length: width },
      (_, i) => `    - { name: ${mode}_${i + 1}, hook: setup, mode: ${mode}, location: "actions.ts::noop" }`,
    ),
  );
  const spec = [
    'apiVersion: styrmin.io/v1',
    'kind: ApplicationDriver',
    'metadata:',
    `  name: ${driverName}`,
    'spec:',
    '  version: "1"',
    '  supported_versions: ">=1.0"',
    '  default_version: "1.0.0"',
    '  info:',
    '    description: 3 modes of 4 no-op actions',
    '  actions:',
    ...actions,
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'driver.styrmin.yml'), spec);
  await writeFile(
    path.join(dir, 'actions.ts'),
    "export async function noop(): Promise<string> {\n  return 'done';\n}\n",
  );
  return dir;
}

export async function benchOverhead(repeat: number): Promise<BenchPart> {
  const env = await startBenchEnvironment(await loadDrivers([await writeNoopDriver()]));
  const styrmin: number[] = [];
  const floor: number[] = [];
  const { client } = env.temporal;
  try {
    await env.withWorker(async () => {
      // One of each first, unmeasured: bundles loaded, caches warm.
      for (let i = 0; i <= repeat; i++) {
        const id = `overhead-${i}-${randomUUID().slice(0, 8)}`;
        let started = performance.now();
        const result: RunResult = await client.workflow.execute('setup', {
          taskQueue: env.taskQueue,
          workflowId: `${id}/setup`,
          args: [{ deploymentId: id, driver: driverName, namespace: id }],
        });
        const styrminMs = performance.now() - started;
        if (result.progress.status !== 'succeeded') throw new Error(`setup ${id} did not succeed`);
        started = performance.now();
        await client.workflow.execute('floorRun', {
          taskQueue: env.floorTaskQueue,
          workflowId: `${id}/floor`,
          args: [modes.length, width],
        });
        const floorMs = performance.now() - started;
        if (i === 0) continue;
        styrmin.push(styrminMs);
        floor.push(floorMs);
        console.error(`run ${i}/${repeat}: styrmin ${Math.round(styrminMs)} ms, floor ${Math.round(floorMs)} ms`);
      }
    });
  } finally {
    await env.close();
  }
  const row = (name: string, samples: number[]) => [name, ms(percentile(samples, 50)), ms(percentile(samples, 95))];
  const ratio = percentile(styrmin, 50) / percentile(floor, 50);
  const ratio95 = percentile(styrmin, 95) / percentile(floor, 95);
  return {
    title: 'Overhead against the floor',
    details: [
      `A setup of 3 modes × ${width} no-op actions, and a bare workflow of 3 waves of ${width} no-op children; ${repeat} interleaved runs of each, wall time from the start request to the result:`,
      '',
      markdownTable(
        ['run', 'median', 'p95'],
        [
          row('Styrmin setup', styrmin),
          row('bare Temporal floor', floor),
          ['ratio', `${ratio.toFixed(2)}×`, `${ratio95.toFixed(2)}×`],
        ],
      ),
    ].join('\n'),
    figures: [
      {
        name: 'Styrmin setup ÷ bare floor (median)',
        measured: `${ratio.toFixed(2)}×`,
        target: `≤ ${targetRatio}×`,
        met: ratio <= targetRatio,
      },
    ],
  };
}
