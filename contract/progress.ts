/** What the `progress` query returns: each mode and step of a run with its state. */
import type { Hook, Mode, Versions } from './lifecycle.js';

/** State of one step (an action, or the built-in release) of a run. */
export const ActionState = {
  Pending: 'pending',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  /** The run was cancelled while the step ran. */
  Cancelled: 'cancelled',
} as const;
export type ActionState = (typeof ActionState)[keyof typeof ActionState];

/** State of one mode of a run: a step's states, or skipped. */
export const ModeState = { ...ActionState, Skipped: 'skipped' } as const;
export type ModeState = (typeof ModeState)[keyof typeof ModeState];

/** State of a whole run. */
export const RunStatus = {
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** Progress of one step: an action's child workflow, or the release activity of the run itself. */
export interface ActionProgress {
  name: string;
  workflowId: string;
  workflowType: string;
  state: ActionState;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  lastError?: string;
  /** What the step achieved, when that matters later: the release step's live revision. */
  outcome?: string;
  /**
   * While it runs: what the action is waiting on, once that has lasted a few seconds or is a long
   * durable wait (the action tells its run; quick primitive calls do not show here).
   */
  now?: ActionDoing[];
}

/** One thing an action is waiting on: a primitive call or a durable wait, and since when. */
export interface ActionDoing {
  /** The call's summary (`stop task-worker`) or the wait's (`wait until <time>: <reason>`). */
  what: string;
  /** ISO 8601 time it began. */
  since: string;
}

/** What an action tells its run about what it is waiting on (`actionNow` signal). */
export interface ActionNow {
  /** The action's workflow id. */
  workflowId: string;
  now: ActionDoing[];
}

/** Progress of one mode. */
export interface ModeProgress {
  mode: Mode;
  state: ModeState;
  startedAt?: string;
  endedAt?: string;
  actions: ActionProgress[];
}

/** What the `progress` query returns. */
export interface RunProgress {
  deploymentId: string;
  driver: string;
  hook: Hook;
  status: RunStatus;
  versions?: Versions;
  modes: ModeProgress[];
  error?: string;
  /** What a failed or cancelled run left: which modes and steps ran, how they ended, what is still stopped. */
  left?: string;
  /**
   * Once a failed or cancelled run looked: the components a stop left stopped, with what a start
   * restores, e.g. `task-worker (Deployment task-worker, 2 replicas)`.
   */
  stillStopped?: string[];
}

/** What a finished run returns. */
export interface RunResult {
  deploymentId: string;
  hook: Hook;
  versions: Versions;
  progress: RunProgress;
}
