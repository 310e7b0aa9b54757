/**
 * The benchmark suite keeps working: its quick variant runs every part and prints every figure
 * with a target. Timings are not asserted here: they belong to the benchmark's own runs.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeSimOnly } from '../support/cluster.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the suite in a process group of its own, stopped with everything it started if it outlives `timeoutMs`. */
function runSuite(args: string[], timeoutMs: number): Promise<string> {
  const child = spawn('npx', ['tsx', 'bench/suite.ts', ...args], { cwd: repo, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`the suite ended with ${signal ?? `code ${code}`}:\n${stderr.slice(-4000)}`));
    }),
  );
}

describeSimOnly('benchmark suite (kubesim only: the suite starts its own Kubernetes API test server)', () => {
  test('npm run bench -- --smoke runs every part and prints each figure against its target', async () => {
    const stdout = await runSuite(['--smoke'], 280_000);
    for (const title of [
      'Overhead against the floor',
      'Fan-out',
      'Many runs at once',
      'Kubernetes waits',
      'Worker start',
    ])
      expect(stdout).toContain(`### ${title}`);
    const summary = stdout.slice(stdout.indexOf('### Every figure against its target'));
    const rows = summary.split('\n').filter((line) => /^\| .* \| (yes|\*\*no\*\*) +\|$/.test(line));
    expect(rows).toHaveLength(6);
    expect(summary).toMatch(/\d of 6 targets met\./);
  }, 300_000);
});
