/** Bookkeeping behind the `progress` query: one mutable record per run, updated as work happens. */
import { ActionState, ModeState, RunStatus, modes, type ActionProgress, type Hook, type ModeProgress, type RunProgress } from './types.js';

function now(): string {
  // Date in workflow code is Temporal's deterministic workflow time.
  return new Date().toISOString();
}

/** A fresh progress record with every mode pending. */
export function newProgress(deploymentId: string, driver: string, hook: Hook): RunProgress {
  return {
    deploymentId,
    driver,
    hook,
    status: RunStatus.Running,
    modes: modes.map((mode) => ({ mode, state: ModeState.Pending, actions: [] })),
  };
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
}
