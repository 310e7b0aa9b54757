/**
 * Problems found in driver specs, and the error that carries them.
 *
 * Pure (no Node imports).
 */
import { FailureType } from '../contract/failures.js';

/** One finding in a driver spec, pointing at the place an author has to edit. */
export interface SpecProblem {
  /** Path of the spec file (or driver folder) the problem is in. */
  file: string;
  /** 1-based line; 0 when the problem has no place in the file. */
  line: number;
  /** 1-based column; 0 when the problem has no place in the file. */
  column: number;
  /** Field path such as `spec.parameters[2].default`; empty for the whole document. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** `file:line:column: path: message`, the form editors and terminals link to. */
export function formatProblem(problem: SpecProblem): string {
  const place = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  const tag = problem.severity === 'warning' ? 'warning: ' : '';
  return `${place}: ${problem.path ? `${problem.path}: ` : ''}${tag}${problem.message}`;
}

/** Thrown when one or more driver specs are invalid; `problems` lists every error and warning found. */
export class DriverSpecError extends Error {
  /** Failure type to use when this crosses Temporal. */
  readonly type = FailureType.InvalidDriver;
  readonly problems: SpecProblem[];

  constructor(problems: SpecProblem[]) {
    const errors = problems.filter((problem) => problem.severity === 'error');
    const warnings = problems.filter((problem) => problem.severity === 'warning');
    const lines = [...errors, ...warnings].map((problem) => `  ${formatProblem(problem)}`);
    super(`invalid driver spec: ${errors.length} error${errors.length === 1 ? '' : 's'}\n${lines.join('\n')}`);
    this.name = 'DriverSpecError';
    this.problems = problems;
  }

  /** The problems of severity `error`. */
  get errors(): SpecProblem[] {
    return this.problems.filter((problem) => problem.severity === 'error');
  }
}
