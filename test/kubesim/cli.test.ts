import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { waitFor } from './wait-for.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('kubesim standalone CLI', () => {
  it('prints its URL, writes a kubeconfig, applies a seed file and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubesim-cli-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const seed = join(dir, 'seed.yaml');
    await writeFile(
      seed,
      `apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`,
    );
    const child = spawn(
      join(repoRoot, 'node_modules', '.bin', 'tsx'),
      ['kubesim/main.ts', '--port', '0', '--kubeconfig', kubeconfig, '--seed', seed, '--ready-delay-ms', '10'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const line = await waitFor(
        () => /kubesim listening on (http:\/\/127\.0\.0\.1:\d+); kubeconfig: (.+)\n/.exec(output) ?? undefined,
        'the startup line',
        30_000,
      );
      expect(line[2]).toBe(kubeconfig);
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      expect(kc.getCurrentCluster()?.server).toBe(line[1]);
      const core = kc.makeApiClient(CoreV1Api);
      await waitFor(
        async () =>
          (await core.listNamespacedPod({ namespace: 'demo' })).items.some((p) => p.status?.phase === 'Running'),
        'the seeded deployment running',
      );
      expect(
        (await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: 'demo' })).spec?.replicas,
      ).toBe(1);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
