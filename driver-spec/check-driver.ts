/**
 * Checks one driver folder: reads `driver.styrmin.yml`, validates it against the schema and
 * the semantic rules, checks the action module, and collects every problem with its
 * file:line:column.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkActionFiles } from './actions-file.js';
import type { SpecProblem } from './problems.js';
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

/** Outcome of checking one driver folder. */
export interface CheckedDriver {
  driver?: LoadedDriver;
  problems: SpecProblem[];
  /** Place of `metadata.name` in the spec file as the caller named it, for cross-driver problems. */
  nameProblem?: (message: string) => SpecProblem;
}

/** A problem about a file or folder as a whole (no line). */
export const folderProblem = (file: string, message: string): SpecProblem => ({
  file,
  line: 0,
  column: 0,
  path: '',
  message,
  severity: 'error',
});

/** Validates one driver folder and returns the driver or every problem found. */
export async function checkDriver(dir: string): Promise<CheckedDriver> {
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
      return {
        file: specFile,
        ...place,
        path: formatPath(finding.path),
        message: finding.message,
        severity: finding.severity,
      };
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
    file: specFile,
    ...source.locate(['metadata', 'name']),
    path: 'metadata.name',
    message,
    severity: 'error',
  });
  return { driver, problems, nameProblem };
}
