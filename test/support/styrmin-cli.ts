/** Runs the `styrmin` command as an operator does: bin/styrmin.js, which runs the compiled CLI in dist/. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repo = fileURLToPath(new URL('../..', import.meta.url));

/** What a command printed and how it exited. */
export interface CommandOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/styrmin.js ...args` with `env` over this process's environment (undefined unsets),
 * in `cwd` (the repository by default; `bin` is relative to it).
 */
export function styrmin(
  args: string[],
  env: Record<string, string | undefined>,
  bin = 'bin/styrmin.js',
  cwd = repo,
): Promise<CommandOutcome> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete merged[name];
  return promisify(execFile)(process.execPath, [path.resolve(repo, bin), ...args], { cwd, env: merged }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: CommandOutcome) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}
