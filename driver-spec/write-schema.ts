/**
 * Writes `driver-spec/schema.json` from `driver-spec/schema.ts`, for editors and other tools that validate
 * driver files. Run: `npx tsx driver-spec/write-schema.ts` (a test fails when the file is stale).
 */
import { writeFile } from 'node:fs/promises';
import { driverSchema } from './schema.js';

const target = new URL('./schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(driverSchema, null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
