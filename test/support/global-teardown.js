/** Stops the dev server the global setup started. */
export default async function globalTeardown() {
  await globalThis.styrminTemporal?.teardown();
}
