/** Finds the real helm binary for the tests: HELM_BIN, then <repo>/.styrmin/bin/helm, then PATH. */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The helm executable, or an error that says how to install one. */
export function helmBinary(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.HELM_BIN,
    join(repoRoot, '.styrmin', 'bin', 'helm'),
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'helm')),
  ];
  for (const file of candidates) {
    if (!file) continue;
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // try the next place
    }
  }
  throw new Error(
    'helm (v3) not found in HELM_BIN, .styrmin/bin/helm or PATH: run `bash scripts/install-helm.sh`, or `go install helm.sh/helm/v3/cmd/helm@v3.22.0` and set HELM_BIN',
  );
}

/** Result of one helm invocation. */
export interface HelmRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with the given arguments and environment additions; never throws on a non-zero exit. */
export function runHelm(args: string[], env: Record<string, string>): Promise<HelmRun> {
  return new Promise((resolve, reject) => {
    execFile(helmBinary(), args, { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}
