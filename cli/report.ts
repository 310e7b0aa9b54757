/**
 * Printing helpers shared by the commands: problems in `file:line:column: path: message` form
 * and one-line driver summaries.
 */
import path from 'node:path';
import type { LoadedDriver } from '../driver-spec/load.js';
import { formatProblem, type SpecProblem } from '../driver-spec/problems.js';

/** Prints problems, errors before warnings, to stderr; returns the number of errors. */
export function printProblems(problems: SpecProblem[]): number {
  const errors = problems.filter((problem) => problem.severity === 'error');
  const warnings = problems.filter((problem) => problem.severity === 'warning');
  for (const problem of [...errors, ...warnings]) console.error(formatProblem(problem));
  return errors.length;
}

/** The driver folder as the operator would type it. */
function shownDir(driver: LoadedDriver): string {
  const relative = path.relative(process.cwd(), driver.dir);
  return relative === '' ? '.' : relative.startsWith('..') ? driver.dir : relative;
}

/** `name version (folder)`. */
export function driverTitle(driver: LoadedDriver): string {
  return `${driver.name} ${driver.version} (${shownDir(driver)})`;
}
