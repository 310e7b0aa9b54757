/**
 * The progress of one run, owned by the run. Every change updates what the `progress` query
 * returns and the run's "Current details" in Temporal Web; callers never publish by hand.
 */
import { setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { modes, type Hook, type Mode, type Versions } from '../contract/lifecycle.js';
import { describeDecision, type DecisionTaken, type Waiting } from '../contract/decisions.js';
import { actionNowSignal, progressQuery } from '../contract/messages.js';
import {
  ActionState,
  ModeState,
  RunStatus,
  type ActionProgress,
  type ModeProgress,
  type RunProgress,
} from '../contract/progress.js';

function now(): string {
  // Date in workflow code is Temporal's deterministic workflow time.
  return new Date().toISOString();
}

/** A step's identity as progress shows it. */
export type StepIdentity = Pick<ActionProgress, 'name' | 'workflowId' | 'workflowType'>;

/** The progress of one step of a mode. */
export class StepTracker {
  constructor(
    private readonly entry: ActionProgress,
    private readonly publish: () => void,
  ) {}

  /** The step started (again): counts an attempt. */
  started(): void {
    delete this.entry.now;
    this.entry.state = ActionState.Running;
    this.entry.attempts += 1;
    this.entry.startedAt = now();
    this.publish();
  }

  /** The step succeeded; `outcome` says what it achieved, if that matters later. */
  succeeded(outcome?: string): void {
    if (outcome) this.entry.outcome = outcome;
    this.end(ActionState.Succeeded);
  }

  /** The step failed; `error` is kept as its last error. */
  failed(error: string): void {
    this.entry.lastError = error;
    this.end(ActionState.Failed);
  }

  /** The run was cancelled while the step ran. */
  cancelled(): void {
    this.end(ActionState.Cancelled);
  }

  /** The step failed and an operator chose to go on without it. */
  skipped(reason: string): void {
    this.entry.skipReason = reason;
    this.end(ActionState.Skipped);
  }

  private end(state: ActionState): void {
    delete this.entry.now;
    this.entry.state = state;
    this.entry.endedAt = now();
    this.publish();
  }
}

/** The progress of one mode of the run. */
export class ModeTracker {
  constructor(
    private readonly entry: ModeProgress,
    private readonly publish: () => void,
  ) {}

  /** Adds a step to the mode, pending until it starts. */
  step(identity: StepIdentity): StepTracker {
    const entry: ActionProgress = { ...identity, state: ActionState.Pending, attempts: 0 };
    this.entry.actions.push(entry);
    return new StepTracker(entry, this.publish);
  }

  running(): void {
    this.entry.state = ModeState.Running;
    this.entry.startedAt = now();
    this.publish();
  }

  /** The mode ended as `succeeded`, `failed`, `cancelled` or `skipped`. */
  ended(state: Exclude<ModeState, typeof ModeState.Pending | typeof ModeState.Running>): void {
    this.entry.state = state;
    this.entry.endedAt = now();
    this.publish();
  }
}

/** The progress of a whole run; registers the `progress` query when created. */
export class RunTracker {
  readonly progress: RunProgress;

  constructor(deploymentId: string, driver: string, hook: Hook) {
    this.progress = {
      deploymentId,
      driver,
      hook,
      status: RunStatus.Running,
      modes: modes.map((mode) => ({ mode, state: ModeState.Pending, actions: [] })),
    };
    setHandler(progressQuery, () => this.progress, {
      description:
        'Each mode and action of the run: state, attempts, start and end times, last error, what a running action waits on; and, once it ended, why and what it left',
    });
    setHandler(
      actionNowSignal,
      ({ workflowId, now }) => {
        const step = this.progress.modes.flatMap((m) => m.actions).find((a) => a.workflowId === workflowId);
        if (step?.state !== ActionState.Running) return;
        if (now.length) step.now = now;
        else delete step.now;
        this.publish();
      },
      { description: 'Sent by an action of this run: what it has been waiting on for a while' },
    );
    this.publish();
  }

  /** The versions the run works between, once they are known. */
  setVersions(versions: Versions): void {
    this.progress.versions = versions;
    this.publish();
  }

  /** The tracker of one mode. */
  mode(mode: Mode): ModeTracker {
    return new ModeTracker(
      this.progress.modes.find((m) => m.mode === mode)!,
      () => this.publish(),
    );
  }

  /** Marks every mode that has not started as skipped: the run will not reach it. */
  skipPendingModes(): void {
    for (const mode of this.progress.modes) {
      if (mode.state === ModeState.Pending) this.mode(mode.mode).ended(ModeState.Skipped);
    }
  }

  /** The run waits for an approval or a decision. */
  waitingFor(waiting: Waiting): void {
    this.progress.status = waiting.for === 'approval' ? RunStatus.AwaitingApproval : RunStatus.Waiting;
    this.progress.waiting = waiting;
    this.publish();
  }

  /** An operator (or the decision timeout) decided; the run goes on with it. */
  decided(taken: DecisionTaken): void {
    delete this.progress.waiting;
    this.progress.status = RunStatus.Running;
    (this.progress.decisions ??= []).push(taken);
    this.publish();
  }

  /** What the run put back of what it stopped, and what it could not, each with why. */
  compensated(putBack: string[], couldNot: string[]): void {
    if (putBack.length) this.progress.putBack = putBack;
    if (couldNot.length) this.progress.couldNotPutBack = couldNot;
    this.publish();
  }

  /** The components a stop left stopped, as the cluster showed them once the run stopped. */
  stillStopped(components: string[]): void {
    this.progress.stillStopped = components;
    this.publish();
  }

  succeeded(): void {
    this.progress.status = RunStatus.Succeeded;
    this.publish();
  }

  failed(error: string): void {
    delete this.progress.waiting;
    this.progress.status = RunStatus.Failed;
    this.progress.error = error;
    this.progress.left = stateLeft(this.progress);
    this.publish();
  }

  /** The run was cancelled; `where` says what it was doing. */
  cancelled(where: string): void {
    delete this.progress.waiting;
    this.progress.status = RunStatus.Cancelled;
    this.progress.error = where;
    this.progress.left = stateLeft(this.progress);
    this.publish();
  }

  /** Where the run is: the running mode and its running steps, for a cancellation's record. */
  whereNow(): string {
    const waiting = this.progress.waiting;
    if (waiting?.for === 'approval') return `while waiting for approval before ${waiting.mode}`;
    if (waiting) return `while waiting for a decision on ${waiting.actions!.join(', ')} in mode ${waiting.mode}`;
    const mode = this.progress.modes.find((m) => m.state === ModeState.Running || m.state === ModeState.Cancelled);
    if (!mode) return 'before any mode ran';
    const steps = mode.actions
      .filter((a) => a.state === ActionState.Running || a.state === ActionState.Cancelled)
      .map((a) => a.name);
    return `in mode ${mode.mode}${steps.length ? ` (running: ${steps.join(', ')})` : ''}`;
  }

  /** Shows the progress in Temporal Web; not a workflow command, so replay is unaffected. */
  private publish(): void {
    setCurrentDetails(progressDetails(this.progress));
  }
}

/**
 * The progress as Markdown, for the "Current details" of the run in Temporal Web: a list of modes,
 * each action linked to its workflow; then, once the run failed or was cancelled, why and what it
 * left.
 */
function progressDetails(progress: RunProgress): string {
  const versions = progress.versions ? ` ${progress.versions.current ?? '(new)'} → ${progress.versions.target}` : '';
  const lines = [
    `**${progress.hook}** of \`${progress.deploymentId}\` (${progress.driver})${versions}: ${progress.status}`,
    '',
  ];
  const { namespace } = workflowInfo();
  const linked = (a: ActionProgress) =>
    a.workflowId
      ? `[\`${a.name}\`](/namespaces/${namespace}/workflows/${encodeURIComponent(a.workflowId)})`
      : `\`${a.name}\``;
  const waitingOn = (a: ActionProgress) =>
    a.now?.length
      ? ` (waiting on ${a.now.map((d) => `\`${d.what.replaceAll('`', "'")}\` since ${d.since}`).join(', ')})`
      : '';
  for (const mode of progress.modes) {
    const actions = mode.actions
      .map((a) => `${linked(a)} ${a.state}${a.lastError ? ` (${a.lastError.replaceAll('\n', ' ')})` : waitingOn(a)}`)
      .join(', ');
    lines.push(`- ${mode.mode}: ${mode.state}${actions ? ` — ${actions}` : ''}`);
  }
  if (progress.waiting) lines.push('', waitingDetails(progress.waiting));
  if (progress.decisions?.length)
    lines.push('', '**Decisions:**', '', ...progress.decisions.map((d) => `- ${describeDecision(d)}`));
  if (progress.error) lines.push('', `**Why:** ${progress.error.split('\n')[0]}`);
  if (progress.left) lines.push('', `**Left:** ${progress.left}`);
  return lines.join('\n');
}

/** What a waiting run waits for, and the decisions that fit, as the CLI takes them. */
function waitingDetails(waiting: Waiting): string {
  const id = workflowInfo().workflowId;
  if (waiting.for === 'approval')
    return `**Waiting for approval** before ${waiting.mode} since ${waiting.since}, aborts on its own at ${waiting.until}: \`styrmin approve ${id} --by <you>\` or \`styrmin abort ${id} --reason <why>\``;
  return `**Waiting for a decision** on ${waiting.actions!.map((a) => `\`${a}\``).join(', ')} since ${waiting.since}, aborts on its own at ${waiting.until}: \`styrmin retry ${id}\`, \`styrmin skip ${id} --reason <why>\` or \`styrmin abort ${id} --reason <why>\``;
}

/** How each step state reads in an account of what a run left. */
const stepWords = [
  [ActionState.Succeeded, 'done'],
  [ActionState.Failed, 'failed'],
  [ActionState.Cancelled, 'cancelled'],
  [ActionState.Skipped, 'skipped'],
] as const;

/** A one-line account of what a failed or cancelled run changed before it stopped. */
export function stateLeft(progress: RunProgress): string {
  const parts = progress.modes
    .filter((mode) => mode.state !== ModeState.Pending && mode.state !== ModeState.Skipped)
    .map((mode) => {
      const said = stepWords
        .map(([state, word]) => ({
          word,
          names: mode.actions
            .filter((a) => a.state === state)
            .map((a) => (a.outcome ? `${a.name} (${a.outcome})` : a.name)),
        }))
        .filter(({ names }) => names.length > 0)
        .map(({ word, names }) => `${word}: ${names.join(', ')}`);
      return `${mode.mode} ${mode.state}${said.length ? ` (${said.join('; ')})` : ''}`;
    });
  const untouched = progress.modes.filter((m) => m.state === ModeState.Skipped).map((m) => m.mode);
  if (untouched.length) parts.push(`not run: ${untouched.join(', ')}`);
  if (progress.putBack?.length) parts.push(`put back: ${progress.putBack.join(', ')}`);
  if (progress.couldNotPutBack?.length) parts.push(`could not put back: ${progress.couldNotPutBack.join(', ')}`);
  if (progress.stillStopped?.length) parts.push(`still stopped: ${progress.stillStopped.join(', ')}`);
  return parts.join('; ') || 'nothing ran';
}
