/**
 * The benchmark suite: overhead against a bare Temporal floor, fan-out, many runs on one worker,
 * Kubernetes waits and worker start. Prints each part's table, then every figure against its
 * target; `--write` puts the same text, with the machine it ran on, into docs/benchmarks.md.
 * Usage: npm run bench -- [--only overhead,fanout,kubernetes,worker-start] [--smoke] [--write]
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalCli } from '../runtime/temporal-cli.js';
import { benchFanOut } from './fanout.js';
import { benchKubernetes } from './kubernetes.js';
import { benchOverhead } from './overhead.js';
import type { BenchPart } from './report.js';
import { markdownTable } from './stats.js';
import { benchWorkerStart } from './worker-start.js';

/** The parts, by the name `--only` takes; each runs on a dev server of its own. */
const parts: Record<string, (smoke: boolean) => Promise<BenchPart[]>> = {
  overhead: async (smoke) => [await benchOverhead(smoke ? 2 : 20)],
  fanout: async (smoke) => [
    await benchFanOut(
      smoke ? { widths: [8], waitMs: 1000, repeat: 1 } : { widths: [8, 32, 128, 256], waitMs: 1000, repeat: 3 },
    ),
  ],
  kubernetes: (smoke) => benchKubernetes(smoke ? { batches: [5], alone: 2 } : { batches: [10, 100], alone: 10 }),
  'worker-start': async (smoke) => [await benchWorkerStart(smoke ? 1 : 5)],
};

const docsFile = new URL('../docs/benchmarks.md', import.meta.url);
const resultsStart = '<!-- results: written by `npm run bench -- --write` -->';
const resultsEnd = '<!-- end of results -->';

function machine(): string {
  const temporal = execFileSync(temporalCli(), ['--version'], { encoding: 'utf8' }).trim();
  const sdk = (createRequire(import.meta.url)('@temporalio/worker/package.json') as { version: string }).version;
  const memory = Math.round(os.totalmem() / 2 ** 30);
  return `${os.cpus().length} cores, ${memory} GiB, Node ${process.version}, ${temporal} (in-memory dev server), TypeScript SDK ${sdk}; the dev server, the Kubernetes API test server, the workers and the client share the machine`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
    },
  });
  const names = values.only ? values.only.split(',').map((n) => n.trim()) : Object.keys(parts);
  const unknown = names.filter((n) => !(n in parts));
  if (unknown.length > 0)
    throw new Error(`--only: no part named ${unknown.join(', ')}; the parts are ${Object.keys(parts).join(', ')}`);
  if (values.write && (values.smoke || values.only))
    throw new Error('--write records a whole run: leave out --smoke and --only');
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const results: BenchPart[] = [];
  for (const name of names) {
    console.error(`== ${name}`);
    results.push(...(await parts[name]!(values.smoke)));
  }
  const figures = results.flatMap((part) => part.figures);
  const report = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
    '',
    ...results.flatMap((part) => [`### ${part.title}`, '', part.details, '']),
    '### Every figure against its target',
    '',
    markdownTable(
      ['figure', 'measured', 'target', 'met'],
      figures.map((f) => [f.name, f.measured, f.target, f.met ? 'yes' : '**no**']),
    ),
    '',
    `${figures.filter((f) => f.met).length} of ${figures.length} targets met.`,
  ].join('\n');
  console.log(`\n${report}`);
  if (values.write) {
    const docs = await readFile(docsFile, 'utf8');
    const from = docs.indexOf(resultsStart);
    const to = docs.indexOf(resultsEnd);
    if (from < 0 || to < from) throw new Error(`docs/benchmarks.md has no "${resultsStart}" … "${resultsEnd}" section`);
    await writeFile(docsFile, `${docs.slice(0, from + resultsStart.length)}\n\n${report}\n\n${docs.slice(to)}`);
    console.error('written to docs/benchmarks.md');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
