/**
 * Operator decisions. A run that waits for an approval before a mode, or for a decision on the
 * failed actions of a mode, takes them as Temporal Updates (`approve`, `retry`, `skip`, `abort`).
 * Each Update has a validator: a decision that does not fit what the run waits for is rejected
 * with a message saying why, before it reaches the run's history. A run that waits longer than
 * its decision timeout aborts on its own.
 */
import { condition, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  Decision,
  type AbortRequest,
  type ApproveRequest,
  type DecisionResult,
  type DecisionTaken,
  type RetryRequest,
  type SkipRequest,
  type Waiting,
} from '../contract/decisions.js';
import type { Mode } from '../contract/lifecycle.js';
import { abortUpdate, approveUpdate, retryUpdate, skipUpdate } from '../contract/messages.js';
import { ActionState, RunStatus } from '../contract/progress.js';
import { statusKey } from '../contract/search-attributes.js';
import type { RunTracker } from './run-tracker.js';

/** What the run was told to do, once a decision arrived or the wait timed out. */
export type Decided =
  | { decision: typeof Decision.Approve }
  | { decision: typeof Decision.Retry; actions: string[] }
  | { decision: typeof Decision.Skip; actions: string[]; reason: string }
  | { decision: typeof Decision.Abort; reason: string; by?: string };

/** What a run waiting on failed actions is told: the validators take no approval there. */
export type FailureDecision = Exclude<Decided, { decision: typeof Decision.Approve }>;

/** What a run waiting for approval is told: the validators take only approve or abort there. */
export type ApprovalDecision = Extract<Decided, { decision: typeof Decision.Approve | typeof Decision.Abort }>;

/** What any decision's request may carry, as the run keeps it. */
type DecisionRequest = { by?: string; reason?: string; comment?: string; actions?: string[] };

/** Longest `by`, `reason` or `comment` a decision may carry: it travels in progress and the record. */
const maxText = 500;

/** Registers the decision Updates on the run and waits for them where the run asks. */
export class OperatorDecisions {
  private waiting: Waiting | undefined;
  private decided: Decided | undefined;

  constructor(
    private readonly tracker: RunTracker,
    private readonly timeout: string,
  ) {
    setHandler(approveUpdate, (request) => this.take({ decision: Decision.Approve }, request), {
      validator: (request) => this.checkApprove(request),
      description: 'Lets the mode the run waits before (approveBefore) start: {"by": "...", "comment": "..."}',
    });
    setHandler(
      retryUpdate,
      (request) => {
        const actions = this.chosen(request);
        return this.take({ decision: Decision.Retry, actions }, { ...request, actions });
      },
      {
        validator: (request) => this.checkActions(Decision.Retry, request),
        description: 'Starts failed actions again: {"actions": [...]} (every failed one when omitted)',
      },
    );
    setHandler(
      skipUpdate,
      (request) => {
        const actions = this.chosen(request);
        return this.take({ decision: Decision.Skip, actions, reason: request.reason }, request);
      },
      {
        validator: (request) => {
          this.checkActions(Decision.Skip, request);
          checkReason(request);
        },
        description: 'Counts failed actions as skipped and goes on: {"actions": [...], "reason": "..."}',
      },
    );
    setHandler(abortUpdate, (request) => this.take({ decision: Decision.Abort, ...request }, request), {
      validator: (request) => {
        this.checkWaiting(Decision.Abort);
        checkReason(request);
      },
      description: 'Puts back what the run stopped, then fails it: {"reason": "..."}',
    });
  }

  /** Waits before `mode` until an operator approves it or aborts the run. */
  approval(mode: Mode): Promise<ApprovalDecision> {
    return this.wait({ for: 'approval', mode }) as Promise<ApprovalDecision>;
  }

  /** Waits for a decision on the failed actions of `mode`: retry, skip or abort. */
  onFailure(mode: Mode, actions: string[]): Promise<FailureDecision> {
    return this.wait({ for: 'decision', mode, actions }) as Promise<FailureDecision>;
  }

  private async wait(what: Pick<Waiting, 'for' | 'mode' | 'actions'>): Promise<Decided> {
    const since = new Date();
    const timeoutMs = durationMs(this.timeout);
    this.waiting = { ...what, since: since.toISOString(), until: new Date(since.getTime() + timeoutMs).toISOString() };
    this.tracker.waitingFor(this.waiting);
    upsertSearchAttributes([{ key: statusKey, value: this.tracker.progress.status }]);
    const arrived = await condition(() => this.decided !== undefined, timeoutMs);
    const decided: Decided = arrived
      ? this.decided!
      : { decision: Decision.Abort, reason: `no decision within ${this.timeout}`, by: 'decision timeout' };
    if (!arrived) this.record(Decision.Abort, decided as AbortRequest);
    this.decided = undefined;
    this.waiting = undefined;
    upsertSearchAttributes([{ key: statusKey, value: RunStatus.Running }]);
    return decided;
  }

  /** Takes a decision the validator accepted: the waiting run goes on with it. */
  private take(decided: Decided, request: DecisionRequest | undefined): DecisionResult {
    const waiting = this.waiting!;
    this.record(decided.decision, request);
    this.decided = decided;
    this.waiting = undefined;
    return { decision: decided.decision, message: resultMessage(decided, waiting, this.tracker) };
  }

  private record(decision: Decision, request: DecisionRequest = {}) {
    const taken: DecisionTaken = { decision, mode: this.waiting!.mode, at: new Date().toISOString() };
    if (request.by) taken.by = request.by;
    if (request.actions?.length) taken.actions = request.actions;
    const reason = request.reason ?? request.comment;
    if (reason) taken.reason = reason;
    this.tracker.decided(taken);
  }

  /** The actions a retry or skip names, or every failed one the run waits on. */
  private chosen(request: RetryRequest | SkipRequest | undefined): string[] {
    return request?.actions?.length ? [...new Set(request.actions)] : [...(this.waiting?.actions ?? [])];
  }

  private checkWaiting(decision: Decision, wanted?: Waiting['for']): Waiting {
    const { workflowId } = workflowInfo();
    if (!this.waiting) {
      const status = this.tracker.progress.status;
      throw new Error(
        `run ${workflowId} is ${status}, not waiting for a decision: ${decision} fits only a run that waits` +
          (status === RunStatus.Running ? ' (to stop a running run, cancel it)' : ''),
      );
    }
    if (wanted && this.waiting.for !== wanted) {
      const now =
        this.waiting.for === 'approval'
          ? `waits for approval before ${this.waiting.mode} (approve or abort)`
          : `waits for a decision on failed actions of ${this.waiting.mode} (retry, skip or abort)`;
      throw new Error(`run ${workflowId} ${now}, so ${decision} does not fit`);
    }
    return this.waiting;
  }

  private checkApprove(request: ApproveRequest): void {
    this.checkWaiting(Decision.Approve, 'approval');
    if (typeof request?.by !== 'string' || request.by.trim() === '')
      throw new Error('approve needs "by": who approves, e.g. {"by": "alice"}');
    checkText('by', request.by);
    if (request.comment !== undefined) checkText('comment', request.comment);
  }

  private checkActions(decision: Decision, request: RetryRequest | SkipRequest | undefined): void {
    const waiting = this.checkWaiting(decision, 'decision');
    if (request?.by !== undefined) checkText('by', request.by);
    const named = request?.actions;
    if (named === undefined) return;
    if (!Array.isArray(named) || named.some((name) => typeof name !== 'string'))
      throw new Error(`${decision}: "actions" must be a list of action names, e.g. ["${waiting.actions![0]}"]`);
    const steps = this.tracker.progress.modes.find((m) => m.mode === waiting.mode)!.actions;
    for (const name of named) {
      const step = steps.find((s) => s.name === name);
      if (!step)
        throw new Error(
          `${decision}: mode ${waiting.mode} has no action "${name.slice(0, 100)}" (its actions: ${steps.map((s) => s.name).join(', ')})`,
        );
      if (step.state !== ActionState.Failed)
        throw new Error(
          `${decision}: action ${name} of mode ${waiting.mode} is ${step.state}, not failed (failed: ${waiting.actions!.join(', ')})`,
        );
    }
  }
}

function checkText(field: string, value: unknown): void {
  if (typeof value !== 'string') throw new Error(`"${field}" must be a string`);
  if (value.length > maxText) throw new Error(`"${field}" is ${value.length} characters long, at most ${maxText}`);
}

function checkReason(request: { reason?: unknown } | undefined): void {
  if (typeof request?.reason !== 'string' || request.reason.trim() === '')
    throw new Error('a reason is required, e.g. {"reason": "migration fixed by hand"}');
  checkText('reason', request.reason);
}

/** What an Update returns: what the run does now. */
function resultMessage(decided: Decided, waiting: Waiting, tracker: RunTracker): string {
  const mode = waiting.mode;
  switch (decided.decision) {
    case Decision.Approve:
      return `approved: mode ${mode} starts`;
    case Decision.Retry: {
      const steps = tracker.progress.modes.find((m) => m.mode === mode)!.actions;
      const attempts = decided.actions.map((name) => {
        const attempt = (steps.find((s) => s.name === name)?.attempts ?? 0) + 1;
        return `${name} (attempt ${attempt})`;
      });
      return `retrying ${attempts.join(', ')} in mode ${mode}`;
    }
    case Decision.Skip:
      return `skipped ${decided.actions.join(', ')} in mode ${mode}; the run goes on once no failed action is left`;
    case Decision.Abort:
      return `aborting in mode ${mode}: putting back what the run stopped, then failing the run`;
  }
}

/** Milliseconds of a duration the input check accepted (`90s`, `30m`, `24h`, `7d`, `500ms`). */
function durationMs(duration: string): number {
  const [, amount, unit] = /^([0-9]+)(ms|s|m|h|d)$/.exec(duration)!;
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms'];
  return Number(amount) * unitMs;
}
