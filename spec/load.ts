/**
 * Loads driver folders: reads `driver.styrmin.yml`, validates it against the schema and the
 * semantic rules, checks the action module, and reports every problem at once with its
 * file:line:column.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkActionFiles } from './actions-file.js';
import { DriverSpecError, type SpecProblem } from './problems.js';
import { checkSchema } from './schema-check.js';
import { checkSemantics } from './semantic-check.js';
import type { DriverSpec } from './types.js';
import { formatPath, parseSource, type Finding } from './yaml-source.js';

/** File name of the spec inside a driver folder. */
export const specFileName = 'driver.styrmin.yml';

/** A driver that passed validation. */
export interface LoadedDriver {
  /** Absolute path of the driver folder. */
  dir: string;
  /** Absolute path of its `driver.styrmin.yml`. */
  specFile: string;
  /** The whole validated document, versions as strings. */
  spec: DriverSpec;
  /** `metadata.name`. */
  name: string;
  /** `spec.version`. */
  version: string;
  /** Absolute path of the module holding the driver's actions; absent when it declares none. */
  actionsFile?: string;
  /** Problems that do not stop the driver from loading (unknown fields, ...). */
  warnings: SpecProblem[];
}

interface Checked {
  driver?: LoadedDriver;
  problems: SpecProblem[];
  /** Place of `metadata.name` in the spec file as the caller named it, for cross-driver problems. */
  nameProblem?: (message: string) => SpecProblem;
}

const folderProblem = (file: string, message: string): SpecProblem => ({ file, line: 0, column: 0, path: '', message, severity: 'error' });

/** Validates one driver folder and returns the driver or every problem found. */
async function checkDriver(dir: string): Promise<Checked> {
  const specFile = path.join(dir, specFileName);
  let text: string;
  try {
    text = await readFile(specFile, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message;
    return { problems: [folderProblem(specFile, `cannot read the driver spec: ${reason}`)] };
  }
  const source = parseSource(text);
  const findings: Finding[] = [...source.findings];
  let actionsFile: string | undefined;
  if (source.data !== undefined) {
    findings.push(...checkSchema(source.data));
    const semantics = checkSemantics(source.data, (at) => source.locate(at));
    findings.push(...semantics.findings);
    const actionFiles = await checkActionFiles(path.resolve(dir), semantics.actions);
    findings.push(...actionFiles.findings);
    actionsFile = actionFiles.actionsFile;
  }
  const problems = findings
    .map((finding): SpecProblem => {
      const place = finding.position ?? source.locate(finding.path, finding.atKey);
      return { file: specFile, ...place, path: formatPath(finding.path), message: finding.message, severity: finding.severity };
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
  if (problems.some((problem) => problem.severity === 'error')) return { problems };
  const spec = source.data as DriverSpec;
  const driver: LoadedDriver = {
    dir: path.resolve(dir),
    specFile: path.resolve(specFile),
    spec,
    name: spec.metadata.name,
    version: spec.spec.version,
    warnings: problems,
    ...(actionsFile ? { actionsFile } : {}),
  };
  const nameProblem = (message: string): SpecProblem => ({
    file: specFile, ...source.locate(['metadata', 'name']), path: 'metadata.name', message, severity: 'error',
  });
  return { driver, problems, nameProblem };
}

/** Loads one driver folder; throws `DriverSpecError` listing every problem when it is invalid. */
export async function loadDriver(dir: string): Promise<LoadedDriver> {
  const { driver, problems } = await checkDriver(dir);
  if (!driver) throw new DriverSpecError(problems);
  return driver;
}

const isFile = (file: string) => stat(file).then((info) => info.isFile(), () => false);

/** Driver folders under `dir`: itself when it holds a spec, else its direct subfolders that do. */
async function driverFolders(dir: string): Promise<string[] | SpecProblem> {
  if (await isFile(path.join(dir, specFileName))) return [dir];
  if ((await isFile(dir)) && path.basename(dir) === specFileName) return [path.dirname(dir)];
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return folderProblem(dir, 'no such driver folder');
  }
  const folders: string[] = [];
  for (const name of names.sort()) {
    if (await isFile(path.join(dir, name, specFileName))) folders.push(path.join(dir, name));
  }
  return folders.length > 0 ? folders : folderProblem(dir, `no ${specFileName} in this folder or its direct subfolders`);
}

/**
 * Loads drivers from folders that are either one driver or a folder of drivers (`drivers/`);
 * throws one `DriverSpecError` listing every problem of every driver, including two drivers
 * with the same name and version.
 */
export async function loadDrivers(dirs: string[]): Promise<LoadedDriver[]> {
  const problems: SpecProblem[] = [];
  const drivers: Checked[] = [];
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
  if (problems.some((problem) => problem.severity === 'error')) throw new DriverSpecError(problems);
  return drivers.map((checked) => checked.driver!);
}

function duplicateRevisions(checked: Checked[]): SpecProblem[] {
  const byKey = new Map<string, LoadedDriver>();
  const problems: SpecProblem[] = [];
  for (const { driver, nameProblem } of checked) {
    if (!driver || !nameProblem) continue;
    const key = `${driver.name}@${driver.version}`;
    const first = byKey.get(key);
    if (!first) byKey.set(key, driver);
    else problems.push(nameProblem(`driver "${driver.name}" version "${driver.version}" is also defined in ${first.specFile}; each driver revision needs its own spec.version`));
  }
  return problems;
}
