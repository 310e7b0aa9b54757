/** The compiled worker (`dist/worker.js`) in a process of its own, as operators run it. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
const compiledWorker = `${repo}dist/worker.js`;

/** A started worker process and what it printed. */
export interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
}

/** Starts `dist/worker.js` with these variables over the test's environment. */
export function startWorker(env: Record<string, string>, args: string[] = []): WorkerProcess {
  if (!existsSync(compiledWorker))
    throw new Error(`${compiledWorker} is missing: run \`npm run build\` (scripts/test.sh and npm test do)`);
  const child = spawn(process.execPath, [compiledWorker, ...args], { cwd: repo, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Waits until the worker says it serves its task queue (30 s at most). */
export async function started(worker: WorkerProcess): Promise<void> {
  for (let i = 0; i < 300 && !worker.output().includes('styrmin worker on') && worker.child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(worker.output()).toContain('styrmin worker on');
}
