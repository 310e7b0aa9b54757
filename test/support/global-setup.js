/**
 * Starts one Temporal dev server (the real `temporal` CLI binary) for the whole test run, with
 * Styrmin's search attributes registered, unless TEMPORAL_ADDRESS already points at a server.
 * Plain JavaScript: Jest loads global setup outside its module transform.
 */
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  if (process.env.TEMPORAL_ADDRESS) return;
  const { startThrowawayDevServer } = await tsImport('../../runtime/dev-server.ts', import.meta.url);
  const env = await startThrowawayDevServer();
  globalThis.styrminTemporal = env;
  process.env.TEMPORAL_ADDRESS = env.address;
}
