/**
 * Test helpers: driver folders in fresh temporary directories.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path under test/fixtures/specs. */
export const specFixture = (...parts: string[]) => path.join(repoRoot, 'test', 'fixtures', 'specs', ...parts);

const created: string[] = [];

/** A new, empty temporary folder, removed by `removeTempFolders`. */
export async function tempFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'styrmin-spec-'));
  created.push(dir);
  return dir;
}

/** Removes every folder made by these helpers (call from `afterAll`). */
export async function removeTempFolders(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A new driver folder holding `spec` as driver.styrmin.yml plus the given extra files. */
export async function driverFolder(spec: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await tempFolder();
  await writeFile(path.join(dir, 'driver.styrmin.yml'), spec);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** A new driver folder with a broken fixture as its spec and the shared fixture action module. */
export async function brokenDriverFolder(fixture: string): Promise<string> {
  const dir = await tempFolder();
  await copyFile(specFixture('broken', fixture), path.join(dir, 'driver.styrmin.yml'));
  await copyFile(specFixture('broken', 'actions.ts'), path.join(dir, 'actions.ts'));
  return dir;
}
