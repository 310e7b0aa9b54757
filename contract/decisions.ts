/**
 * Operator decisions a run takes as Temporal Updates: approve a mode before it starts, retry or
 * skip the failed actions of a mode, or abort the run. Pure types and constants: workflows, the
 * client and the CLI import them alike (the Update definitions are in contract/messages.ts).
 */
import type { Mode } from './lifecycle.js';

/** The decisions a run can take, by Update name. */
export const Decision = { Approve: 'approve', Retry: 'retry', Skip: 'skip', Abort: 'abort' } as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/** `approve`: the mode the run waits before may start. */
export interface ApproveRequest {
  /** Who approves (a person or a service); recorded with the run. */
  by: string;
  comment?: string;
}

/** `retry`: start these failed actions again (every failed one of the mode when omitted). */
export interface RetryRequest {
  actions?: string[];
  by?: string;
}

/** `skip`: count these failed actions as skipped and go on; `reason` is recorded with the run. */
export interface SkipRequest {
  actions?: string[];
  reason: string;
  by?: string;
}

/** `abort`: put back what the run stopped, then fail it with `reason`. */
export interface AbortRequest {
  reason: string;
  by?: string;
}

/** What a decision did, as its Update returns it. */
export interface DecisionResult {
  decision: Decision;
  /** One line, e.g. `retrying migrate (attempt 2) in mode post`. */
  message: string;
}

/** What a run is waiting for, while it waits. */
export interface Waiting {
  /** `approval` before a mode starts, or a `decision` on failed actions. */
  for: 'approval' | 'decision';
  mode: Mode;
  /** The failed actions the decision is about (`decision` only). */
  actions?: string[];
  /** ISO 8601 times: since when it waits, and when it aborts on its own. */
  since: string;
  until: string;
}

/** A decision as the run keeps it: in its progress, Current Details and the record. */
export interface DecisionTaken {
  decision: Decision;
  mode: Mode;
  at: string;
  by?: string;
  actions?: string[];
  /** The reason of a skip or abort, or the comment of an approval. */
  reason?: string;
}

/** One line for a decision taken, as the record and the CLI print it. */
export function describeDecision(d: DecisionTaken): string {
  const verb = { approve: 'approved', retry: 'retried', skip: 'skipped', abort: 'aborted' }[d.decision];
  const what = d.decision === 'approve' ? ` ${d.mode}` : d.actions?.length ? ` ${d.actions.join(', ')}` : '';
  const where = d.decision === 'approve' ? '' : ` in ${d.mode}`;
  return `${verb}${what}${where}${d.by ? ` by ${d.by}` : ''} at ${d.at}${d.reason ? `: ${d.reason}` : ''}`;
}
