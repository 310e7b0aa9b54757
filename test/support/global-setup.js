/**
 * Starts one Temporal dev server (the real `temporal` CLI binary) for the whole test run, with
 * Styrmin's search attributes registered, unless TEMPORAL_ADDRESS already points at a server.
 * Plain JavaScript: Jest loads global setup outside its module transform.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  if (process.env.TEMPORAL_ADDRESS) return;
  const { searchAttributeKeys } = await tsImport('../../contract/search-attributes.ts', import.meta.url);
  const { temporalCli } = await tsImport('../../runtime/temporal-cli.ts', import.meta.url);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli() },
      searchAttributes: searchAttributeKeys,
      ip: '127.0.0.1',
    },
  });
  globalThis.styrminTemporal = env;
  process.env.TEMPORAL_ADDRESS = env.address;
}
