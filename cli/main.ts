/**
 * Entry point of the `styrmin` command line. Each subcommand lives in its own file and exports
 * a factory; adding one is an import and an entry in `commands`.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { codecServerCommand } from './codec-server.js';
import { abortCommand, approveCommand, cancelCommand, retryCommand, skipCommand } from './decisions.js';
import { driverCommand } from './driver.js';
import { listCommand } from './list.js';
import { planCommand } from './plan.js';
import { progressCommand } from './progress.js';
import { setupCommand, upgradeCommand } from './run.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';
import { watchCommand } from './watch.js';

const commands: Array<() => Command> = [
  validateCommand,
  planCommand,
  driverCommand,
  setupCommand,
  upgradeCommand,
  progressCommand,
  watchCommand,
  listCommand,
  approveCommand,
  retryCommand,
  skipCommand,
  abortCommand,
  cancelCommand,
  statusCommand,
  codecServerCommand,
];

// This module runs compiled, from dist/cli/main.js: package.json is two folders up (one from cli/main.ts).
const packageJson = new URL(
  import.meta.url.endsWith('.js') ? '../../package.json' : '../package.json',
  import.meta.url,
);
const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };

const program = new Command('styrmin')
  .version(version)
  .description('Run application lifecycle hooks (setup, upgrade) for Kubernetes applications, durably on Temporal.')
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false, showGlobalOptions: true });
for (const command of commands) program.addCommand(command().copyInheritedSettings(program));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`styrmin: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
