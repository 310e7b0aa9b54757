/**
 * `styrmin setup|upgrade --input '<json>'`: start a lifecycle run on Temporal, optionally wait for
 * it and print its progress. The same thing as `temporal workflow start --type setup ...`.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { connectClient, getProgress, startSetup, startUpgrade, waitForRun } from '../client.js';
import type { Hook, SetupInput, UpgradeInput } from '../contract/lifecycle.js';
import { printProgress } from './progress.js';

interface RunOptions {
  input: string;
  workflowId?: string;
  wait?: boolean;
}

async function readInput(text: string): Promise<unknown> {
  const json = text.startsWith('@') ? await readFile(text.slice(1), 'utf8') : text;
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new Error(`--input is not JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function runCommand(hook: Hook, example: string): () => Command {
  return () =>
    new Command(hook)
      .description(
        `start the ${hook} workflow of a deployment on Temporal (connection as for the temporal CLI: TEMPORAL_* variables, TEMPORAL_PROFILE)`,
      )
      .requiredOption('-i, --input <json>', `the ${hook} input as JSON, or @file.json; e.g. '${example}'`)
      .option('--workflow-id <id>', 'workflow id of the run (default: <deploymentId>/<hook>)')
      .option('-w, --wait', 'wait for the run to end and print its progress; exit 1 if it failed')
      .action(async (options: RunOptions) => {
        const input = await readInput(options.input);
        const client = await connectClient();
        try {
          const start =
            hook === 'setup'
              ? startSetup(client, input as SetupInput, options)
              : startUpgrade(client, input as UpgradeInput, options);
          const { workflowId } = await start;
          console.log(`started ${hook} ${workflowId}`);
          if (!options.wait) return;
          const outcome = await waitForRun(client, workflowId).then(
            () => undefined,
            (err: unknown) => err,
          );
          printProgress(await getProgress(client, workflowId));
          if (outcome) {
            const cause = (outcome as { cause?: Error }).cause ?? outcome;
            console.error(`${hook} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
            process.exitCode = 1;
          }
        } finally {
          await client.connection.close();
        }
      });
}

/** Builds the `setup` command. */
export const setupCommand = runCommand('setup', '{"deploymentId":"shop","driver":"example-app","namespace":"shop"}');
/** Builds the `upgrade` command. */
export const upgradeCommand = runCommand(
  'upgrade',
  '{"deploymentId":"shop","driver":"example-app","namespace":"shop","targetVersion":"2.0.0"}',
);
