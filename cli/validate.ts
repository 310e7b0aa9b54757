/**
 * `styrmin validate <driver-dir...>`: checks driver specs and summarises each valid driver.
 */
import path from 'node:path';
import { Command } from 'commander';
import { hooks } from '../contract/lifecycle.js';
import { specFileName } from '../driver-spec/check-driver.js';
import { checkDrivers, type LoadedDriver } from '../driver-spec/load.js';
import type { SpecProblem } from '../driver-spec/problems.js';
import { driverTitle, printProblems } from './report.js';

function summary(driver: LoadedDriver): string {
  const body = driver.spec.spec;
  const components = Object.keys(body.components ?? {});
  const parameters = (body.parameters ?? []).map(
    (parameter) => `${parameter.name}${parameter.secret ? ' (secret)' : ''}`,
  );
  const actions = body.actions ?? [];
  const perHook = hooks.map((hook) => `${hook}: ${actions.filter((action) => action.hook === hook).length}`).join(', ');
  const rows: Array<[string, string]> = [
    [
      'app versions',
      `${body.supported_versions} (${body.default_version ? `default ${body.default_version}` : 'no default: setup needs a version'})`,
    ],
    ['chart', body.helm ? `${body.helm.main.location} ${body.helm.main.version}` : '(none)'],
    ['components', components.join(', ') || '(none)'],
    ['parameters', parameters.join(', ') || '(none)'],
    ['actions', `${actions.length}${actions.length > 0 ? ` (${perHook})` : ''}`],
  ];
  return [`${driverTitle(driver)}: valid`, ...rows.map(([label, value]) => `  ${label.padEnd(13)}${value}`)].join('\n');
}

/**
 * The driver folder as the operator named it, as the spec check names its files: the argument
 * itself, the folder of a spec file given, or a direct subfolder of a folder of drivers.
 */
function shownDriverDir(driver: LoadedDriver, dirs: string[]): string {
  for (const dir of dirs) {
    const resolved = path.resolve(dir);
    if (resolved === driver.dir) return dir;
    if (resolved === driver.specFile && path.basename(dir) === specFileName) return path.dirname(dir);
    if (path.dirname(driver.dir) === resolved) return path.join(dir, path.basename(driver.dir));
  }
  return driver.dir;
}

/**
 * Type-checks the action modules of `drivers` (see driver-spec/type-check.ts); the problems of
 * each driver, in the order given. Only validate does this: it takes seconds, which the worker's
 * driver loading must not.
 */
export async function typeCheckActions(drivers: LoadedDriver[], dirs: string[]): Promise<SpecProblem[][]> {
  if (!drivers.some((driver) => driver.actionsFile)) return drivers.map(() => []);
  // The compiler loads only when some driver has actions to check.
  const { typeCheckDriver } = await import('../driver-spec/type-check.js');
  const found: SpecProblem[][] = [];
  for (const driver of drivers) found.push(await typeCheckDriver(driver, shownDriverDir(driver, dirs)));
  return found;
}

/** Builds the `validate` command. */
export function validateCommand(): Command {
  return new Command('validate')
    .description(
      'check driver specs (schema, references between sections, version ranges) and type-check their action modules',
    )
    .argument(
      '<driver-dir...>',
      'a driver folder (holding driver.styrmin.yml) or a folder of driver folders, e.g. drivers/',
    )
    .addHelpText(
      'after',
      `
Every problem is printed as file:line:column: field.path: message. Unknown fields are
warnings; anything else wrong is an error. Action modules are type-checked against the
primitives with parameter types fresh from the spec: each TypeScript error is printed at its
place in the module. Exported functions no action's location names are warnings, as is a
parameters.generated.ts that is out of date (styrmin driver types <dir>).

Exit status: 0 when every driver is valid (warnings allowed), 1 otherwise.

Examples:
  $ styrmin validate drivers/example-app
  $ styrmin validate drivers/`,
    )
    .action(async (dirs: string[]) => {
      const { drivers, problems: specProblems } = await checkDrivers(dirs);
      const typeProblems = await typeCheckActions(drivers, dirs);
      const valid = drivers.filter((_, at) => !typeProblems[at]!.some((problem) => problem.severity === 'error'));
      for (const driver of valid) console.log(summary(driver));
      const problems = [...specProblems, ...typeProblems.flat()];
      const errors = printProblems(problems);
      const warnings = problems.length - errors;
      if (errors > 0) {
        console.error(
          `invalid: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
        );
        process.exitCode = 1;
      } else {
        console.log(
          `${valid.length} driver${valid.length === 1 ? '' : 's'} valid, ${warnings} warning${warnings === 1 ? '' : 's'}`,
        );
      }
    });
}
