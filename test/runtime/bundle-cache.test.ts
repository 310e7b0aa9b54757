/**
 * The worker's bundle cache: a bundle built once is taken again for the same files, and any change
 * to a driver's folder builds a new one.
 */
import { cp, mkdtemp, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDriver } from '../../driver-spec/load.js';
import { cachedLifecycleBundle } from '../../runtime/bundle.js';

const fixture = fileURLToPath(new URL('../fixtures/drivers/lab-twin/', import.meta.url));
let dir: string;
let driverDir: string;
let cacheDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'styrmin-bundle-cache-'));
  driverDir = path.join(dir, 'lab-twin');
  cacheDir = path.join(dir, 'cache');
  await cp(fixture, driverDir, { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('the second start takes the bundle built by the first; a changed driver file builds another', async () => {
  const first = await cachedLifecycleBundle([await loadDriver(driverDir)], cacheDir);
  expect(first.source).toBe('built');
  expect(first.bundle.code).toContain('lab-twin@');

  const again = await cachedLifecycleBundle([await loadDriver(driverDir)], cacheDir);
  expect(again).toEqual({ ...first, source: 'cache' });

  // A file the entry does not name (a helper the actions may import) still counts.
  await writeFile(path.join(driverDir, 'helper.ts'), 'export const helper = 1;\n');
  const withHelper = await cachedLifecycleBundle([await loadDriver(driverDir)], cacheDir);
  expect(withHelper.source).toBe('built');
  expect(withHelper.file).not.toBe(first.file);

  await appendFile(path.join(driverDir, 'actions.ts'), '\n// changed\n');
  const changed = await cachedLifecycleBundle([await loadDriver(driverDir)], cacheDir);
  expect(changed.source).toBe('built');
  expect(changed.bundle.code).toContain('// changed');

  expect((await readdir(cacheDir)).sort()).toEqual(
    [first.file, withHelper.file, changed.file].map((f) => path.basename(f)).sort(),
  );
}, 60_000);

test('a cache folder that cannot be written still gives a bundle', async () => {
  const notAFolder = path.join(dir, 'plain-file');
  await writeFile(notAFolder, '');
  const result = await cachedLifecycleBundle([await loadDriver(driverDir)], path.join(notAFolder, 'cache'));
  expect(result.source).toBe('built');
  expect(result.bundle.code).toContain('lab-twin@');
}, 60_000);
