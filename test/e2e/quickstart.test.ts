/** The README's main command, as a fresh machine runs it: its own dev server, no KUBECONFIG. */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { freePort } from '../support/ports.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The quick start's command line and environment on free ports, with a fresh home (so no KUBECONFIG). */
async function quickstart(...extra: string[]) {
  const home = await mkdtemp(path.join(tmpdir(), 'styrmin-quickstart-'));
  const [port, uiPort, codecPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.KUBECONFIG;
  delete env.TEMPORAL_ADDRESS;
  const args = ['--import', 'tsx', 'scripts/quickstart.ts', ...extra];
  args.push(
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--codec-port',
    String(codecPort),
    '--state-dir',
    home,
  );
  return { args, env, port, codecPort };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts the quick start, waits until its output shows `marker`, sends `signal`, and resolves with how it ended. */
async function stopAt(marker: string, signal: NodeJS.Signals) {
  const { args, env, port } = await quickstart();
  const child = spawn(process.execPath, args, { cwd: repo, env, detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    for (let i = 0; !output.includes(marker); i++) {
      if (i > 1500 || child.exitCode !== null) throw new Error(`no "${marker}" in: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill(signal);
    return { code: await exited, output, devServerUp: await listening(port) };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // stopped by itself
    }
  }
}

describe('the quick start', () => {
  it('runs a setup and an upgrade of the example driver and reports both', async () => {
    const { args, env, port, codecPort } = await quickstart('--exit');
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: repo, env, timeout: 170_000 });
    expect(stdout).toContain(`Temporal dev server 127.0.0.1:${port}`);
    expect(stdout).toContain(`Temporal Web decrypts them through the codec server http://127.0.0.1:${codecPort}`);
    expect(stdout).toContain('(no KUBECONFIG found)');
    expect(stdout).toContain('setup of example (example-app) (new) -> 1.0.0: succeeded');
    expect(stdout).toContain('upgrade of example (example-app) 1.0.0 -> 2.0.0: succeeded');
    expect(stdout).toMatch(/migrate_and_restart\s+succeeded/);
    expect(stdout).toContain('Both runs succeeded.');
  }, 180_000);

  it('stops everything it started on Ctrl-C, and exits 0', async () => {
    const { code, output, devServerUp } = await stopAt('press Ctrl-C to stop', 'SIGINT');
    expect(output).toContain('SIGINT: stopping the worker, the test server and the Temporal dev server');
    expect(output).not.toContain('Error');
    expect({ code, devServerUp }).toEqual({ code: 0, devServerUp: false });
  }, 180_000);

  it('stops everything on SIGTERM in the middle of a run, and exits 0', async () => {
    const { code, output, devServerUp } = await stopAt('setup started', 'SIGTERM');
    expect(output).toContain('SIGTERM: stopping');
    expect(output).not.toContain('Error');
    expect({ code, devServerUp }).toEqual({ code: 0, devServerUp: false });
  }, 180_000);
});
