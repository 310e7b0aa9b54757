/** The README's main command, as a fresh machine runs it: its own dev server, no KUBECONFIG. */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the quick start', () => {
  it('runs a setup and an upgrade of the example driver and reports both', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'styrmin-quickstart-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.KUBECONFIG;
    delete env.TEMPORAL_ADDRESS;
    const args = [
      '--import',
      'tsx',
      'scripts/quickstart.ts',
      '--exit',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--state-dir',
      home,
    ];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: repo, env, timeout: 170_000 });
    expect(stdout).toContain(`Temporal dev server 127.0.0.1:${port}`);
    expect(stdout).toContain('(no KUBECONFIG found)');
    expect(stdout).toContain('setup of example (example-app) (new) -> 1.0.0: succeeded');
    expect(stdout).toContain('upgrade of example (example-app) 1.0.0 -> 2.0.0: succeeded');
    expect(stdout).toMatch(/migrate_and_restart\s+succeeded/);
    expect(stdout).toContain('Both runs succeeded.');
  }, 180_000);
});
