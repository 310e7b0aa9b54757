/**
 * `styrmin approve|retry|skip|abort|cancel <workflow-id>`: an operator's decisions on a run, the
 * same Updates as `temporal workflow update execute --name <decision>`. A decision the run does not
 * take (it waits for none, or for another) prints the run's reason and exits 1.
 */
import os from 'node:os';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Command } from 'commander';
import { abortRun, approveRun, cancelRun, connectClient, retryActions, skipActions } from '../client.js';
import type { DecisionResult } from '../contract/decisions.js';

/** Who an operator is when they do not say: their login name. */
function whoami(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** Connects, takes the decision, prints what the run does now; a rejection prints why and exits 1. */
async function decide(workflowId: string, take: (client: Client) => Promise<DecisionResult | string>): Promise<void> {
  const client = await connectClient();
  try {
    const result = await take(client);
    console.log(`${workflowId}: ${typeof result === 'string' ? result : result.message}`);
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    console.error(`styrmin: ${workflowId} did not take the decision: ${err.cause?.message ?? err.message}`);
    process.exitCode = 1;
  } finally {
    await client.connection.close();
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Builds the `approve` command. */
export function approveCommand(): Command {
  return new Command('approve')
    .description('let a run that waits for approval (approveBefore) start its next mode')
    .argument('<workflow-id>', 'workflow id of the run, e.g. shop/upgrade')
    .option('--by <who>', 'who approves (default: your login name)')
    .option('--comment <text>', 'a comment kept with the approval, e.g. a change ticket')
    .action((workflowId: string, options: { by?: string; comment?: string }) =>
      decide(workflowId, (client) =>
        approveRun(client, workflowId, { by: options.by ?? whoami(), comment: options.comment }),
      ),
    );
}

/** Builds the `retry` command. */
export function retryCommand(): Command {
  return new Command('retry')
    .description('start the failed actions of a waiting run again (onActionFailure "wait")')
    .argument('<workflow-id>', 'workflow id of the run')
    .option('-a, --action <name>', 'an action to retry (repeatable; default: every failed one)', collect)
    .option('--by <who>', 'who decides (default: your login name)')
    .action((workflowId: string, options: { action?: string[]; by?: string }) =>
      decide(workflowId, (client) =>
        retryActions(client, workflowId, { actions: options.action, by: options.by ?? whoami() }),
      ),
    );
}

/** Builds the `skip` command. */
export function skipCommand(): Command {
  return new Command('skip')
    .description('count the failed actions of a waiting run as skipped and let it go on')
    .argument('<workflow-id>', 'workflow id of the run')
    .requiredOption('--reason <text>', 'why the actions may be skipped; kept with the run')
    .option('-a, --action <name>', 'an action to skip (repeatable; default: every failed one)', collect)
    .option('--by <who>', 'who decides (default: your login name)')
    .action((workflowId: string, options: { reason: string; action?: string[]; by?: string }) =>
      decide(workflowId, (client) =>
        skipActions(client, workflowId, {
          actions: options.action,
          reason: options.reason,
          by: options.by ?? whoami(),
        }),
      ),
    );
}

/** Builds the `abort` command. */
export function abortCommand(): Command {
  return new Command('abort')
    .description('abort a waiting run: it puts back what it stopped, then fails with the reason')
    .argument('<workflow-id>', 'workflow id of the run')
    .requiredOption('--reason <text>', 'why the run is aborted; kept with the run')
    .option('--by <who>', 'who decides (default: your login name)')
    .action((workflowId: string, options: { reason: string; by?: string }) =>
      decide(workflowId, (client) =>
        abortRun(client, workflowId, { reason: options.reason, by: options.by ?? whoami() }),
      ),
    );
}

/** Builds the `cancel` command. */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description('cancel a run, waiting or not: running actions are cancelled, then it puts back what it stopped')
    .argument('<workflow-id>', 'workflow id of the run')
    .action((workflowId: string) =>
      decide(workflowId, async (client) => {
        await cancelRun(client, workflowId);
        return 'cancellation requested; the run puts back what it stopped, then ends as cancelled';
      }),
    );
}
