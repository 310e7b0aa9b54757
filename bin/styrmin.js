#!/usr/bin/env node
// The `styrmin` command: runs the TypeScript sources directly (tsx compiles them on load), so
// the CLI works from a checkout after `npm install`, without a build step.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../cli/main.ts', import.meta.url).href);
