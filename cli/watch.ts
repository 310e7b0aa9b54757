/**
 * `styrmin watch <workflow-id>`: follows a run until it ends. On a terminal the progress is drawn
 * in place; otherwise (a log, a pipe) each change is printed once as a plain, timestamped line.
 * Exits 0 when the run succeeded, 1 when it failed or was cancelled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { connectClient, getProgress, stepsNow } from '../client.js';
import { RunStatus, type RunProgress } from '../contract/progress.js';
import { progressLines } from './progress.js';

/** What a plain-line watcher reports: one fact per run, mode and action state, and the waits. */
function facts(progress: RunProgress): string[] {
  const lines: string[] = [];
  for (const mode of progress.modes) {
    lines.push(`${mode.mode} ${mode.state}`);
    for (const action of mode.actions) {
      const attempt = action.attempts > 1 ? ` (attempt ${action.attempts})` : '';
      const why = action.state === 'failed' && action.lastError ? `: ${action.lastError.split('\n')[0]}` : '';
      lines.push(`${mode.mode}/${action.name} ${action.state}${attempt}${why}`);
    }
  }
  if (progress.waiting?.for === 'approval') lines.push(`waiting for approval before ${progress.waiting.mode}`);
  else if (progress.waiting) lines.push(`waiting for a decision on ${progress.waiting.actions!.join(', ')}`);
  if (progress.error) lines.push(`error: ${progress.error.split('\n')[0]}`);
  if (progress.left) lines.push(`left: ${progress.left}`);
  lines.push(`run ${progress.status}`); // last, so a run's end is the last line printed
  return lines;
}

/** Builds the `watch` command. */
export function watchCommand(): Command {
  return new Command('watch')
    .description('follow a run until it ends: drawn in place on a terminal, a line per change otherwise')
    .argument('<workflow-id>', 'workflow id of the run, e.g. shop/upgrade')
    .option('--interval <seconds>', 'how often to look', '1')
    .action(async (workflowId: string, options: { interval: string }) => {
      const intervalMs = Number(options.interval) * 1000;
      if (!(intervalMs > 0))
        throw new Error(`--interval must be a positive number of seconds, got "${options.interval}"`);
      const inPlace = process.stdout.isTTY === true;
      const client = await connectClient();
      const handle = client.workflow.getHandle(workflowId);
      let drawn = 0;
      const told = new Set<string>();
      try {
        for (;;) {
          const { status } = await handle.describe();
          const progress = await getProgress(client, workflowId).catch(async (err: unknown) => {
            if (status.name === 'RUNNING') throw err;
            // An ended run is queried through a worker that replays it; without one, its end is all there is.
            const failure = await handle.result().then(
              () => undefined,
              (ended: unknown) => ended as Error & { cause?: Error },
            );
            console.log(
              `${workflowId}: ${status.name.toLowerCase()}${failure ? `: ${(failure.cause ?? failure).message}` : ''}`,
            );
            return undefined;
          });
          if (!progress) {
            process.exitCode = status.name === 'COMPLETED' ? 0 : 1;
            return;
          }
          if (inPlace) {
            const lines = progressLines(progress, await stepsNow(client, progress, workflowId));
            // Up to the first line drawn last time, clear to the end, draw again.
            process.stdout.write(`${drawn ? `\x1b[${drawn}F\x1b[J` : ''}${lines.join('\n')}\n`);
            drawn = lines.length;
          } else {
            for (const fact of facts(progress).filter((f) => !told.has(f))) {
              told.add(fact);
              console.log(`${new Date().toISOString()}  ${workflowId}: ${fact}`);
            }
          }
          if (status.name !== 'RUNNING') {
            if (progress.status !== RunStatus.Succeeded) process.exitCode = 1;
            return;
          }
          await sleep(intervalMs);
        }
      } finally {
        await client.connection.close();
      }
    });
}
