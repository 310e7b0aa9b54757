#!/usr/bin/env node
// The `styrmin` command: runs the compiled CLI in dist/ (`npm run build`; scripts/install-tools.sh runs it).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('styrmin: the CLI is not built (no dist/cli/main.js): run `npm run build` in the Styrmin folder');
  process.exit(1);
}
await import(main.href);
