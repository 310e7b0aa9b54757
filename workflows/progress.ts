/** Bookkeeping behind the `progress` query: one mutable record per run, updated as work happens. */
import { setCurrentDetails } from '@temporalio/workflow';
import { ActionState, ModeState, RunStatus, modes, type ActionProgress, type Hook, type ModeProgress, type RunProgress } from '../contract/lifecycle.js';

/** This execution's progress; each change is shown as the run's current details in Temporal Web. */
let shown: RunProgress | undefined;

function now(): string {
  // Date in workflow code is Temporal's deterministic workflow time.
  return new Date().toISOString();
}

/** A fresh progress record with every mode pending. */
export function newProgress(deploymentId: string, driver: string, hook: Hook): RunProgress {
  return (shown = {
    deploymentId,
    driver,
    hook,
    status: RunStatus.Running,
    modes: modes.map((mode) => ({ mode, state: ModeState.Pending, actions: [] })),
  });
}

/** The progress as Markdown, for the "Current details" of the run in Temporal Web. */
export function progressDetails(progress: RunProgress): string {
  const versions = progress.versions ? ` ${progress.versions.current ?? '(new)'} → ${progress.versions.target}` : '';
  const lines = [`**${progress.hook}** of \`${progress.deploymentId}\` (${progress.driver})${versions}: ${progress.status}`];
  for (const mode of progress.modes) {
    const actions = mode.actions.map((a) => `${a.name} ${a.state}${a.lastError ? ` (${a.lastError})` : ''}`).join(', ');
    lines.push(`- ${mode.mode}: ${mode.state}${actions ? ` — ${actions}` : ''}`);
  }
  return lines.join('\n');
}

/** Shows the current progress in Temporal Web; not a workflow command, so replay is unaffected. */
export function publishProgress(): void {
  if (shown) setCurrentDetails(progressDetails(shown));
}

/** The progress entry of one mode of the run. */
export function modeProgress(progress: RunProgress, mode: ModeProgress['mode']): ModeProgress {
  return progress.modes.find((m) => m.mode === mode)!;
}

/** Sets a mode's state and stamps its start or end time. */
export function markMode(mode: ModeProgress, state: ModeState): void {
  mode.state = state;
  if (state === ModeState.Running) mode.startedAt = now();
  else if (state !== ModeState.Pending) mode.endedAt = now();
  publishProgress();
}

/** Sets an action's state, counts a start as an attempt, stamps its times and keeps its last error. */
export function markAction(action: ActionProgress, state: ActionState, error?: string): void {
  action.state = state;
  if (state === ActionState.Running) {
    action.attempts += 1;
    action.startedAt = now();
  } else {
    action.endedAt = now();
  }
  if (error !== undefined) action.lastError = error;
  publishProgress();
}
