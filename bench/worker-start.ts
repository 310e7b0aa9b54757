/**
 * Worker start: from spawning `node dist/worker.js` with the example and second drivers to the
 * server seeing its first workflow task poll, with the workflow bundle the build step prepared
 * (the bundle cache) and without it (a new, empty cache each time, as before the cache existed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startThrowawayDevServer } from '../runtime/dev-server.js';
import { ms, type BenchPart } from './report.js';
import { markdownTable, percentile } from './stats.js';
import { startWorkerProcess } from './worker-process.js';

const driversDir = fileURLToPath(new URL('../drivers/', import.meta.url));
const targetMs = 3000;

export async function benchWorkerStart(repeat: number): Promise<BenchPart> {
  const temporal = await startThrowawayDevServer();
  const scratch = await mkdtemp(path.join(tmpdir(), 'styrmin-worker-start-'));
  const prepared: number[] = [];
  const cold: number[] = [];
  try {
    const start = async (run: number, bundleCacheDir?: string) => {
      const worker = await startWorkerProcess(temporal.client, {
        address: temporal.address,
        taskQueue: `worker-start-${run}-${bundleCacheDir ? 'cold' : 'prepared'}`,
        driverDirs: [driversDir],
        bundleCacheDir,
      });
      await worker.stop();
      return worker.startMs;
    };
    await start(0); // unmeasured: fills the default cache if the build step did not
    for (let run = 1; run <= repeat; run++) {
      prepared.push(await start(run));
      cold.push(await start(run, await mkdtemp(path.join(scratch, 'cache-'))));
      console.error(`worker start ${run}/${repeat}: ${ms(prepared.at(-1)!)} prepared, ${ms(cold.at(-1)!)} cold`);
    }
  } finally {
    await temporal.teardown();
    await rm(scratch, { recursive: true, force: true });
  }
  const row = (name: string, samples: number[]) => [name, ms(percentile(samples, 50)), ms(percentile(samples, 95))];
  const median = percentile(prepared, 50);
  return {
    title: 'Worker start',
    details: [
      `From spawning \`node dist/worker.js\` (drivers example-app and second-app) to the dev server seeing its first workflow task poll; ${repeat} starts of each:`,
      '',
      markdownTable(
        ['workflow bundle', 'median', 'p95'],
        [row('prepared by the build step', prepared), row('built at start (empty cache)', cold)],
      ),
    ].join('\n'),
    figures: [
      {
        name: 'worker start, bundle prepared (median)',
        measured: ms(median),
        target: `≤ ${ms(targetMs)}`,
        met: median <= targetMs,
      },
    ],
  };
}
