/** A module resolution hook (node:module `register`): `styrmin/testing` is this folder's harness. */
import path from 'node:path';

// `.js` compiled in dist/testing/, `.ts` when run from the sources.
const harness = new URL(`./index${path.extname(new URL(import.meta.url).pathname)}`, import.meta.url).href;

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve) {
  if (specifier === 'styrmin/testing') return { url: harness, shortCircuit: true };
  return nextResolve(specifier, context);
}
