/**
 * Fan-out benchmark: how a mode's time grows with its width. For each N, a Styrmin setup whose pre
 * mode has N actions that each wait T on a durable timer, and a bare Temporal workflow that starts
 * N children that each wait T (the floor), interleaved on one dev server. Reports each mode's time
 * as a ratio of its 1-wide time, against the target (128 actions ≤ 1.3× one).
 */
import { randomUUID } from 'node:crypto';
import { loadDrivers } from '../driver-spec/load.js';
import { writeBenchDrivers } from './driver.js';
import { startBenchEnvironment, type BenchEnvironment } from './environment.js';
import { timeSetup } from './measure.js';
import { ms, type BenchPart } from './report.js';
import { markdownTable, summarize } from './stats.js';

/** The target: a mode of this many actions at most `targetRatio` times a mode of one. */
const targetWidth = 128;
const targetRatio = 1.3;

export interface FanOutOptions {
  /** Widths to measure; 1 is always added, since ratios are against it. */
  widths: number[];
  waitMs: number;
  repeat: number;
}

/** The floor's mode of `width` waiting children, in workflow time. */
async function timeFloor(env: BenchEnvironment, width: number, waitMs: number): Promise<number> {
  return env.temporal.client.workflow.execute('floorFanOut', {
    taskQueue: env.floorTaskQueue,
    workflowId: `floor-${width}-${randomUUID().slice(0, 8)}`,
    args: [width, waitMs],
  });
}

interface Row {
  actions: number;
  styrmin: number;
  floor: number;
  wall: number;
}

export async function benchFanOut(options: FanOutOptions): Promise<BenchPart> {
  const { waitMs, repeat } = options;
  const actionCounts = [...new Set([1, ...options.widths])].sort((a, b) => a - b);
  const drivers = await loadDrivers([await writeBenchDrivers(actionCounts, waitMs)]);
  const env = await startBenchEnvironment(drivers);
  const rows: Row[] = [];
  try {
    await env.withWorker(async () => {
      // One narrow run of each first, unmeasured: bundles loaded, caches warm.
      await timeSetup(env, 1, 0);
      await timeFloor(env, 1, waitMs);
      for (const actions of actionCounts) {
        const styrmin: number[] = [];
        const floor: number[] = [];
        const wall: number[] = [];
        for (let attempt = 1; attempt <= repeat; attempt++) {
          const sample = await timeSetup(env, actions, attempt);
          const floorMs = await timeFloor(env, actions, waitMs);
          console.error(
            `N=${actions} run ${attempt}/${repeat}: pre mode ${sample.preModeMs} ms (run ${Math.round(sample.wallMs)} ms), floor ${floorMs} ms`,
          );
          styrmin.push(sample.preModeMs);
          floor.push(floorMs);
          wall.push(sample.wallMs);
        }
        const median = (samples: number[]) => summarize(samples).median;
        rows.push({ actions, styrmin: median(styrmin), floor: median(floor), wall: median(wall) });
      }
    });
  } finally {
    await env.close();
  }
  const one = rows[0]!;
  const target = rows.find((r) => r.actions === targetWidth) ?? rows.at(-1)!;
  const ratio = target.styrmin / one.styrmin;
  return {
    title: 'Fan-out',
    details: [
      `One mode of N actions that each wait ${waitMs} ms on a durable timer, and a bare workflow of N children that each wait as long; mode time (workflow time), median of ${repeat} interleaved runs:`,
      '',
      markdownTable(
        ['N actions', 'Styrmin mode', '× 1 action', 'floor mode', 'floor × 1', 'Styrmin ÷ floor', 'Styrmin run (wall)'],
        rows.map((r) => [
          String(r.actions),
          ms(r.styrmin),
          `${(r.styrmin / one.styrmin).toFixed(2)}×`,
          ms(r.floor),
          `${(r.floor / one.floor).toFixed(2)}×`,
          `${(r.styrmin / r.floor).toFixed(2)}×`,
          ms(r.wall),
        ]),
      ),
    ].join('\n'),
    figures: [
      {
        name: `mode of ${target.actions} actions ÷ mode of 1 (floor: ${(target.floor / one.floor).toFixed(2)}×)`,
        measured: `${ratio.toFixed(2)}×`,
        target: `≤ ${targetRatio}×`,
        met: ratio <= targetRatio,
      },
    ],
  };
}
