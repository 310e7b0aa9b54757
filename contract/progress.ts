/** What the `progress` query returns: each mode and step of a run with its state. */
import type { DecisionTaken, Waiting } from './decisions.js';
import type { Hook, Mode, Versions } from './lifecycle.js';

/** State of one step (an action, or the built-in release) of a run. */
export const ActionState = {
  Pending: 'pending',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  /** The run was cancelled while the step ran. */
  Cancelled: 'cancelled',
  /** The step failed and an operator chose to go on without it (`skip`). */
  Skipped: 'skipped',
} as const;
export type ActionState = (typeof ActionState)[keyof typeof ActionState];

/** State of one mode of a run: a step's states; `skipped` when the run did not reach it. */
export const ModeState = { ...ActionState, Skipped: 'skipped' } as const;
export type ModeState = (typeof ModeState)[keyof typeof ModeState];

/** State of a whole run. */
export const RunStatus = {
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cancelled: 'cancelled',
  /** Actions of a mode failed and the run waits for an operator's decision (`onActionFailure: "wait"`). */
  Waiting: 'waiting',
  /** The run waits for an operator's `approve` before a mode in `approveBefore`. */
  AwaitingApproval: 'awaiting-approval',
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
  /** Why an operator skipped the step after it failed. */
  skipReason?: string;
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
  /** While the run waits for an approval or a decision: what for, since and until when. */
  waiting?: Waiting;
  /** Every approval and decision the run took, oldest first. */
  decisions?: DecisionTaken[];
  /** Once the run put back what it stopped: what it started again (`task-worker (Deployment task-worker, 2 replicas)`). */
  putBack?: string[];
  /** What it tried to put back and could not, each with why. */
  couldNotPutBack?: string[];
}

/** What a finished run returns. */
export interface RunResult {
  deploymentId: string;
  hook: Hook;
  versions: Versions;
  progress: RunProgress;
}
