/**
 * Fan-out benchmark: how long a mode of N actions that each wait T takes, against the T a perfect
 * parallel run would take and the N×T of a sequential one.
 * Usage: npx tsx bench/fanout.ts [--actions 1,10,50,100] [--wait-ms 1000] [--repeat 3]
 */
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadDrivers } from '../driver-spec/load.js';
import { writeBenchDrivers } from './driver.js';
import { startBenchEnvironment } from './environment.js';
import { timeSetup, type RunSample } from './measure.js';
import { formatSummary, markdownTable, summarize } from './stats.js';

interface BenchOptions {
  actionCounts: number[];
  waitMs: number;
  repeat: number;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes positive whole numbers, got "${text}"`);
  return n;
}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      actions: { type: 'string', default: '1,10,50,100' },
      'wait-ms': { type: 'string', default: '1000' },
      repeat: { type: 'string', default: '3' },
    },
  });
  const actionCounts = [...new Set(values.actions.split(',').map((n) => positiveInt(n.trim(), '--actions')))];
  return {
    actionCounts,
    waitMs: positiveInt(values['wait-ms'], '--wait-ms'),
    repeat: positiveInt(values.repeat, '--repeat'),
  };
}

function reportRow(actions: number, waitMs: number, samples: RunSample[]): string[] {
  const overheads = samples.map((s) => s.preModeMs - waitMs);
  return [
    String(actions),
    String(waitMs),
    formatSummary(summarize(samples.map((s) => s.preModeMs))),
    formatSummary(summarize(overheads)),
    formatSummary(summarize(overheads.map((o) => o / actions)), 1),
    formatSummary(summarize(samples.map((s) => s.wallMs))),
    String(actions * waitMs),
  ];
}

async function main(): Promise<void> {
  const { actionCounts, waitMs, repeat } = readOptions();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const drivers = await loadDrivers([await writeBenchDrivers(actionCounts, waitMs)]);
  const env = await startBenchEnvironment(drivers);
  const rows: string[][] = [];
  try {
    await env.withWorker(async () => {
      for (const actions of actionCounts) {
        const samples: RunSample[] = [];
        for (let attempt = 1; attempt <= repeat; attempt++) {
          const sample = await timeSetup(env, actions, attempt);
          console.error(
            `N=${actions} run ${attempt}/${repeat}: pre mode ${sample.preModeMs} ms, run ${Math.round(sample.wallMs)} ms`,
          );
          samples.push(sample);
        }
        rows.push(reportRow(actions, waitMs, samples));
      }
    });
  } finally {
    await env.close();
  }
  console.log(`\nsetup, ${repeat} runs per N; median (min–max), milliseconds\n`);
  console.log(
    markdownTable(
      [
        'N actions',
        'wait T',
        'pre mode',
        'overhead over T',
        'overhead per action',
        'whole run (wall)',
        'sequential N×T',
      ],
      rows,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
