/**
 * `styrmin plan <driver-dir> --hook setup|upgrade`: what a hook would run, mode by mode.
 */
import { Command, Option } from 'commander';
import { hooks, type Hook } from '../contract/lifecycle.js';
import { loadDrivers, type LoadedDriver } from '../driver-spec/load.js';
import type { ModePlan } from '../contract/plan.js';
import { planHook } from '../driver-spec/plan.js';
import { driverRevisions } from '../driver-spec/revisions.js';
import { driverTitle } from './report.js';

interface PlanOptions {
  hook: Hook;
  driver?: string;
  driverVersion?: string;
  json?: boolean;
}

/** The one driver the options select among the loaded ones, or an explanation. */
function pickDriver(drivers: LoadedDriver[], options: PlanOptions): LoadedDriver {
  const names = [...new Set(drivers.map((driver) => driver.name))];
  const name = options.driver ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined)
    throw new Error(`the folder holds several drivers (${names.join(', ')}): choose one with --driver <name>`);
  const revisions = driverRevisions(drivers, name);
  if (revisions.length === 0) throw new Error(`no driver named "${name}" (found: ${names.join(', ')})`);
  if (options.driverVersion === undefined) return revisions[0]!;
  const chosen = revisions.find((driver) => driver.version === options.driverVersion);
  if (!chosen)
    throw new Error(
      `driver ${name} has no version "${options.driverVersion}" (found: ${revisions.map((d) => d.version).join(', ')})`,
    );
  return chosen;
}

function modeLines(driver: LoadedDriver, plan: ModePlan, index: number): string[] {
  const count = plan.steps.length;
  const heading = `${index + 1}. ${plan.mode}${count > 1 ? ` (${count} actions, side by side)` : ''}`;
  if (count === 0)
    return [heading, plan.mode === 'core' ? '   (no actions and no chart: nothing runs)' : '   (no actions: skipped)'];
  const actions = plan.steps.flatMap((step) => (step.kind === 'action' ? [step] : []));
  const nameWidth = Math.max(0, ...actions.map((action) => action.name.length));
  const typeWidth = Math.max(0, ...actions.map((action) => action.workflowType.length));
  return [
    heading,
    ...plan.steps.map((step) => {
      if (step.kind === 'action') {
        return `   - ${step.name.padEnd(nameWidth)}  ${step.workflowType.padEnd(typeWidth)}  ${step.description ?? ''}`.trimEnd();
      }
      const chart = driver.spec.spec.helm!.main;
      return `   built-in Helm release step runs (no core action): chart ${chart.location} version ${chart.version}`;
    }),
  ];
}

/** Builds the `plan` command. */
export function planCommand(): Command {
  return new Command('plan')
    .description('show what a hook would run: the modes pre, core and post in order, with the actions of each')
    .argument('<driver-dir>', 'a driver folder, or a folder of drivers (then pick one with --driver)')
    .addOption(new Option('--hook <hook>', 'the lifecycle hook to plan').choices([...hooks]).makeOptionMandatory())
    .option('--driver <name>', 'driver name, when the folder holds several drivers')
    .option('--driver-version <version>', 'driver revision (spec.version); the newest when omitted')
    .option('--json', 'print the plan as JSON')
    .addHelpText(
      'after',
      `
Modes run in order; the actions of one mode run side by side. A core mode without actions runs
the built-in Helm release step (install on setup, upgrade on upgrade).

Examples:
  $ styrmin plan drivers/example-app --hook upgrade
  $ styrmin plan drivers/ --driver example-app --hook setup --json`,
    )
    .action(async (dir: string, options: PlanOptions) => {
      const driver = pickDriver(await loadDrivers([dir]), options);
      const plan = planHook(driver, options.hook);
      if (options.json) {
        console.log(
          JSON.stringify(
            { driver: driver.name, driverVersion: driver.version, hook: options.hook, modes: plan },
            null,
            2,
          ),
        );
        return;
      }
      console.log(`${options.hook} of ${driverTitle(driver)}:`);
      plan.forEach((step, index) => console.log(modeLines(driver, step, index).join('\n')));
    });
}
