/** `styrmin progress <workflow-id>`: each mode and action of a run with its state and times. */
import { Command } from 'commander';
import { connectClient, getProgress, stepsNow } from '../client.js';
import { describeDecision } from '../contract/decisions.js';
import type { RunProgress } from '../contract/progress.js';

function seconds(start?: string, end?: string): string {
  if (!start) return '';
  const took = (Date.parse(end ?? new Date().toISOString()) - Date.parse(start)) / 1000;
  return `${took.toFixed(1)}s`;
}

/** A run's progress as an indented outline; `now` says what running steps are doing, by name. */
export function progressLines(progress: RunProgress, now: Record<string, string> = {}): string[] {
  const versions = progress.versions ? ` ${progress.versions.current ?? '(new)'} -> ${progress.versions.target}` : '';
  const lines = [`${progress.hook} of ${progress.deploymentId} (${progress.driver})${versions}: ${progress.status}`];
  for (const mode of progress.modes) {
    lines.push(`  ${mode.mode.padEnd(5)} ${mode.state.padEnd(9)} ${seconds(mode.startedAt, mode.endedAt)}`);
    for (const action of mode.actions) {
      const doing = action.state === 'running' && now[action.name] ? `  (now: ${now[action.name]})` : '';
      const skipped = action.skipReason ? `  skipped: ${action.skipReason}` : '';
      const error = action.lastError ? `  ${action.lastError}` : doing;
      lines.push(
        `    ${action.name.padEnd(24)} ${action.state.padEnd(9)} ${seconds(action.startedAt, action.endedAt).padStart(6)}  ${action.workflowId}${skipped || error}`,
      );
    }
  }
  const waiting = progress.waiting;
  if (waiting?.for === 'approval')
    lines.push(`  waiting for approval before ${waiting.mode} until ${waiting.until}: styrmin approve | abort`);
  else if (waiting)
    lines.push(
      `  waiting for a decision on ${waiting.actions!.join(', ')} until ${waiting.until}: styrmin retry | skip | abort`,
    );
  for (const decision of progress.decisions ?? []) lines.push(`  ${describeDecision(decision)}`);
  if (progress.error) lines.push(`  error: ${progress.error}`);
  if (progress.left) lines.push(`  left: ${progress.left}`);
  return lines;
}

/** Prints a run's progress as an indented outline; `now` says what running steps are doing, by name. */
export function printProgress(progress: RunProgress, now: Record<string, string> = {}): void {
  for (const line of progressLines(progress, now)) console.log(line);
}

/** Builds the `progress` command. */
export function progressCommand(): Command {
  return new Command('progress')
    .description('show the progress of a setup or upgrade run (the workflow\'s "progress" query)')
    .argument('<workflow-id>', 'workflow id of the run, e.g. shop/upgrade')
    .option('--json', 'print the progress as JSON')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      const client = await connectClient();
      try {
        const progress = await getProgress(client, workflowId);
        if (options.json) console.log(JSON.stringify(progress, null, 2));
        else printProgress(progress, await stepsNow(client, progress, workflowId));
      } finally {
        await client.connection.close();
      }
    });
}
