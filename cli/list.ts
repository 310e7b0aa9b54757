/** `styrmin list`: runs by deployment, status or hook, newest first, from their search attributes. */
import { Command } from 'commander';
import { connectClient, listRuns, type RunFilter } from '../client.js';
import { hooks, type Hook } from '../contract/lifecycle.js';
import { RunStatus } from '../contract/progress.js';

interface ListOptions {
  deployment?: string;
  status?: string;
  hook?: string;
  limit: string;
  json?: boolean;
}

/** Builds the `list` command. */
export function listCommand(): Command {
  return new Command('list')
    .description('list setup and upgrade runs, newest first (search attributes; actions and locks left out)')
    .option('-d, --deployment <id>', 'runs of this deployment only')
    .option('-s, --status <status>', `runs in this status only: ${Object.values(RunStatus).join(', ')}`)
    .option('--hook <hook>', `runs of this hook only: ${hooks.join(', ')}`)
    .option('-l, --limit <n>', 'at most this many runs', '20')
    .option('--json', 'print the runs as JSON')
    .action(async (options: ListOptions) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`--limit must be a positive whole number, got "${options.limit}"`);
      if (options.status && !Object.values(RunStatus).includes(options.status as RunStatus))
        throw new Error(`--status must be one of ${Object.values(RunStatus).join(', ')}, got "${options.status}"`);
      if (options.hook && !hooks.includes(options.hook as Hook))
        throw new Error(`--hook must be one of ${hooks.join(', ')}, got "${options.hook}"`);
      const filter: RunFilter = {
        deploymentId: options.deployment,
        status: options.status,
        hook: options.hook as Hook | undefined,
        limit,
      };
      const client = await connectClient();
      try {
        const runs = await listRuns(client, filter);
        if (options.json) return console.log(JSON.stringify(runs, null, 2));
        if (runs.length === 0) return console.log('no runs');
        for (const run of runs) {
          const where =
            run.status === RunStatus.Running || run.status === RunStatus.Waiting ? ` in ${run.mode ?? '-'}` : '';
          console.log(
            `${run.startTime}  ${(run.status ?? '?').padEnd(17)} ${run.workflowId}  ${run.summary ?? run.hook ?? ''}${where}`,
          );
        }
      } finally {
        await client.connection.close();
      }
    });
}
