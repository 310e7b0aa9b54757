/** The worker entry point as operators run it: `npm run worker`, configured by environment. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { uniqueName } from '../support/temporal.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], { cwd: repo, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('worker.ts', () => {
  it('refuses to start when a driver spec is invalid, naming file, line and field', async () => {
    const worker = startWorker({ STYRMIN_DRIVERS: fileURLToPath(new URL('../fixtures/worker-drivers', import.meta.url)) });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain('invalid driver spec, not starting');
    expect(worker.output()).toMatch(/broken-app\/driver\.styrmin\.yml:12:\d+: spec\.actions\[0\]\.mode/);
  });

  it('serves the task queue and stops gracefully on SIGTERM', async () => {
    const worker = startWorker({ STYRMIN_DRIVERS: `${repo}drivers`, STYRMIN_TASK_QUEUE: uniqueName('worker-entry') });
    for (let i = 0; i < 300 && !worker.output().includes('styrmin worker on'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(worker.output()).toContain('drivers: example-app@1, second-app@2');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
