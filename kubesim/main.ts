/** Standalone simulator: `npx tsx kubesim/main.ts --port 0 --kubeconfig <path> [--seed <yaml>] [--ready-delay-ms N]`. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { startKubeSim } from './index.js';

async function run(): Promise<void> {
  const program = new Command('kubesim')
    .description('Kubernetes API simulator for tests and the local quick start')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('--kubeconfig <path>', 'where to write the kubeconfig for the simulator')
    .option('--seed <file>', 'YAML file of objects to apply at start')
    .option('--ready-delay-ms <ms>', 'time a new pod stays Pending before it is Running and Ready', '300')
    .parse();
  const opts = program.opts<{ port: string; host: string; kubeconfig: string; seed?: string; readyDelayMs: string }>();
  const sim = await startKubeSim({
    port: Number(opts.port),
    host: opts.host,
    kubeconfigPath: resolve(opts.kubeconfig),
    readyDelayMs: Number(opts.readyDelayMs),
  });
  if (opts.seed) await sim.apply(await readFile(opts.seed, 'utf8'));
  process.stdout.write(`kubesim listening on ${sim.url}; kubeconfig: ${sim.kubeconfigPath}\n`);
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

run().catch((err: unknown) => {
  process.stderr.write(`kubesim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
