/**
 * Writes docs/driver-reference.md from the code it describes (driver-spec/reference/).
 * Run: `npx tsx scripts/driver-reference.ts`; with `--check` it writes nothing and exits 1 when the
 * file differs from what the code generates now.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { driverReference, referenceFile, regenerateCommand } from '../driver-spec/reference/index.js';

const target = new URL(`../${referenceFile}`, import.meta.url);
const generated = await driverReference();

if (process.argv.includes('--check')) {
  const written = await readFile(target, 'utf8').catch(() => '');
  if (written !== generated) {
    console.error(`${referenceFile} is out of date: run ${regenerateCommand}`);
    process.exit(1);
  }
  console.log(`${referenceFile} is up to date`);
} else {
  await writeFile(target, generated);
  console.log(`wrote ${referenceFile}`);
}
