/**
 * Fan-out benchmark: how a mode's time grows with its width. For each N, a Styrmin setup whose pre
 * mode has N actions that each wait T on a durable timer, and a bare Temporal workflow that starts
 * N children that each wait T (the floor), interleaved on one dev server. Reports each mode's time
 * as a ratio of its 1-wide time, and whether the target (128 actions ≤ 1.3× one) is met.
 * Usage: npx tsx bench/fanout.ts [--actions 1,8,32,128,256] [--wait-ms 1000] [--repeat 3] [--smoke]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadDrivers } from '../driver-spec/load.js';
import { writeBenchDrivers } from './driver.js';
import { startBenchEnvironment, type BenchEnvironment } from './environment.js';
import { timeSetup } from './measure.js';
import { markdownTable, positiveInt, summarize } from './stats.js';

/** The target: a mode of this many actions at most `targetRatio` times a mode of one. */
const targetWidth = 128;
const targetRatio = 1.3;

interface BenchOptions {
  actionCounts: number[];
  waitMs: number;
  repeat: number;
}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      actions: { type: 'string', default: '1,8,32,128,256' },
      'wait-ms': { type: 'string', default: '1000' },
      repeat: { type: 'string', default: '3' },
      smoke: { type: 'boolean', default: false },
    },
  });
  if (values.smoke) return { actionCounts: [1, 8], waitMs: 1000, repeat: 1 };
  const counts = values.actions.split(',').map((n) => positiveInt(n.trim(), '--actions'));
  // Ratios are against one action, so one action is always measured.
  const actionCounts = [...new Set([1, ...counts])].sort((a, b) => a - b);
  return {
    actionCounts,
    waitMs: positiveInt(values['wait-ms'], '--wait-ms'),
    repeat: positiveInt(values.repeat, '--repeat'),
  };
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

async function main(): Promise<void> {
  const { actionCounts, waitMs, repeat } = readOptions();
  Runtime.install({ logger: new DefaultLogger('WARN') });
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
  console.log(`\none mode of N actions that each wait ${waitMs} ms; median of ${repeat} runs, milliseconds\n`);
  console.log(
    markdownTable(
      ['N actions', 'Styrmin mode', '× 1 action', 'floor mode', 'floor × 1', 'Styrmin / floor', 'Styrmin run (wall)'],
      rows.map((r) => [
        String(r.actions),
        String(Math.round(r.styrmin)),
        (r.styrmin / one.styrmin).toFixed(2),
        String(Math.round(r.floor)),
        (r.floor / one.floor).toFixed(2),
        (r.styrmin / r.floor).toFixed(2),
        String(Math.round(r.wall)),
      ]),
    ),
  );
  const target = rows.find((r) => r.actions === targetWidth);
  if (target) {
    const ratio = target.styrmin / one.styrmin;
    console.log(
      `\ntarget: ${targetWidth} actions ≤ ${targetRatio}× one action: ${ratio <= targetRatio ? 'met' : 'not met'} (${ratio.toFixed(2)}×; the floor: ${(target.floor / one.floor).toFixed(2)}×)`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
