/**
 * Loads driver folders and throws one `DriverSpecError` listing every problem found, each with
 * its file:line:column.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkDriver, folderProblem, specFileName, type CheckedDriver, type LoadedDriver } from './check-driver.js';
import { DriverSpecError, type SpecProblem } from './problems.js';

export type { LoadedDriver } from './check-driver.js';

/** Loads one driver folder; throws `DriverSpecError` listing every problem when it is invalid. */
export async function loadDriver(dir: string): Promise<LoadedDriver> {
  const { driver, problems } = await checkDriver(dir);
  if (!driver) throw new DriverSpecError(problems);
  return driver;
}

const isFile = (file: string) =>
  stat(file).then(
    (info) => info.isFile(),
    () => false,
  );

/** Driver folders under `dir`: itself when it holds a spec, else its direct subfolders that do. */
async function driverFolders(dir: string): Promise<string[] | SpecProblem> {
  if (await isFile(path.join(dir, specFileName))) return [dir];
  if ((await isFile(dir)) && path.basename(dir) === specFileName) return [path.dirname(dir)];
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return folderProblem(dir, 'no such driver folder');
  }
  const folders: string[] = [];
  for (const name of names.sort()) {
    if (await isFile(path.join(dir, name, specFileName))) folders.push(path.join(dir, name));
  }
  return folders.length > 0
    ? folders
    : folderProblem(dir, `no ${specFileName} in this folder or its direct subfolders`);
}

/** Valid drivers and every problem found, without throwing (what `styrmin validate` reports). */
export interface DriverCheckReport {
  drivers: LoadedDriver[];
  problems: SpecProblem[];
}

/**
 * Checks drivers in folders that are either one driver or a folder of drivers (`drivers/`),
 * including two drivers with the same name and version.
 */
export async function checkDrivers(dirs: string[]): Promise<DriverCheckReport> {
  const problems: SpecProblem[] = [];
  const drivers: CheckedDriver[] = [];
  const seenFolders = new Set<string>();
  for (const dir of dirs) {
    const folders = await driverFolders(dir);
    if (!Array.isArray(folders)) {
      problems.push(folders);
      continue;
    }
    for (const folder of folders.filter((f) => !seenFolders.has(path.resolve(f)))) {
      seenFolders.add(path.resolve(folder));
      const checked = await checkDriver(folder);
      problems.push(...checked.problems);
      if (checked.driver) drivers.push(checked);
    }
  }
  problems.push(...duplicateRevisions(drivers));
  return { drivers: drivers.map((checked) => checked.driver!), problems };
}

/**
 * Loads drivers from folders that are either one driver or a folder of drivers (`drivers/`);
 * throws one `DriverSpecError` listing every problem of every driver.
 */
export async function loadDrivers(dirs: string[]): Promise<LoadedDriver[]> {
  return acceptedDrivers(await checkDrivers(dirs));
}

/** The drivers of a check that found no error; otherwise throws one `DriverSpecError` listing every problem. */
export function acceptedDrivers({ drivers, problems }: DriverCheckReport): LoadedDriver[] {
  if (problems.some((problem) => problem.severity === 'error')) throw new DriverSpecError(problems);
  return drivers;
}

function duplicateRevisions(checked: CheckedDriver[]): SpecProblem[] {
  const byKey = new Map<string, LoadedDriver>();
  const problems: SpecProblem[] = [];
  for (const { driver, nameProblem } of checked) {
    if (!driver || !nameProblem) continue;
    const key = `${driver.name}@${driver.version}`;
    const first = byKey.get(key);
    if (!first) byKey.set(key, driver);
    else
      problems.push(
        nameProblem(
          `driver "${driver.name}" version "${driver.version}" is also defined in ${first.specFile}; each driver revision needs its own spec.version`,
        ),
      );
  }
  return problems;
}
