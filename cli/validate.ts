/**
 * `styrmin validate <driver-dir...>`: checks driver specs and summarises each valid driver.
 */
import { Command } from 'commander';
import { hooks } from '../contract/lifecycle.js';
import { checkDrivers, type LoadedDriver } from '../driver-spec/load.js';
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

/** Builds the `validate` command. */
export function validateCommand(): Command {
  return new Command('validate')
    .description('check driver specs: schema, references between sections, action modules, version ranges')
    .argument(
      '<driver-dir...>',
      'a driver folder (holding driver.styrmin.yml) or a folder of driver folders, e.g. drivers/',
    )
    .addHelpText(
      'after',
      `
Every problem is printed as file:line:column: field.path: message. Unknown fields are
warnings; anything else wrong is an error.

Exit status: 0 when every driver is valid (warnings allowed), 1 otherwise.

Examples:
  $ styrmin validate drivers/example-app
  $ styrmin validate drivers/`,
    )
    .action(async (dirs: string[]) => {
      const { drivers, problems } = await checkDrivers(dirs);
      for (const driver of drivers) console.log(summary(driver));
      const errors = printProblems(problems);
      const warnings = problems.length - errors;
      if (errors > 0) {
        console.error(
          `invalid: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
        );
        process.exitCode = 1;
      } else {
        console.log(
          `${drivers.length} driver${drivers.length === 1 ? '' : 's'} valid, ${warnings} warning${warnings === 1 ? '' : 's'}`,
        );
      }
    });
}
