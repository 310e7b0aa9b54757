/**
 * Getting a release back to a state helm can work from: before a step, out of a pending state
 * left by a dead client; after a failed step, back to the last good revision (or kept as is).
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../errors.js';
import type { Hook } from '../workflows/types.js';
import { isTransientHelmFailure, outputTail, type HelmResult } from './helm.js';
import { lastGoodRevision, latestRevision, planPendingRecovery, releaseHistory, type HelmRunner } from './helm-state.js';

/** The release a step works on and the means to run helm against it. */
export interface ReleaseStep {
  release: string;
  namespace: string;
  timeoutSeconds: number;
  /** Runs helm; `log` sends its output to the activity log. */
  helm: (args: string[], log?: boolean) => Promise<HelmResult>;
  /** Names what the step is doing now (shown in heartbeats). */
  setStep: (step: string) => void;
  ctx: Context;
}

const pollMs = 2_000;

async function rollback(step: ReleaseStep, revision: number): Promise<HelmResult> {
  step.setStep(`rolling back to revision ${revision}`);
  return step.helm(['rollback', step.release, String(revision), '--namespace', step.namespace, '--wait',
    '--timeout', `${step.timeoutSeconds}s`, '--history-max', '10'], true);
}

async function uninstall(step: ReleaseStep): Promise<HelmResult> {
  step.setStep('uninstalling a release that never deployed');
  return step.helm(['uninstall', step.release, '--namespace', step.namespace, '--wait', '--timeout', `${step.timeoutSeconds}s`], true);
}

/**
 * Waits while a pending revision may still belong to a live helm; once it is older than
 * `staleAfterMs`, rolls back to the last good revision or uninstalls. Returns what it did.
 */
export async function recoverPending(step: ReleaseStep, staleAfterMs: number): Promise<string | undefined> {
  const { release, namespace, ctx } = step;
  for (;;) {
    const plan = planPendingRecovery(await releaseHistory(step.helm, release, namespace), new Date(), staleAfterMs);
    if (plan.kind === 'none') return undefined;
    const pending = `revision ${plan.pending.revision} (${plan.pending.status}, since ${plan.pending.updated})`;
    if (plan.kind === 'wait') {
      step.setStep(`waiting for ${pending}: another helm may still be working on it`);
      ctx.heartbeat({ release, step: 'waiting-for-pending', pending: plan.pending.revision });
      await ctx.sleep(Math.min(pollMs, Math.max(staleAfterMs - plan.ageMs, 100)));
      continue;
    }
    ctx.log.warn(`release ${release} was left in ${pending} by a helm that is gone; recovering with ${plan.kind}`);
    const result = plan.kind === 'rollback' ? await rollback(step, plan.to.revision) : await uninstall(step);
    if (result.code !== 0) {
      throw ApplicationFailure.create({
        type: FailureType.ReleaseFailed,
        nonRetryable: false,
        message: `release "${release}" in namespace "${namespace}" is stuck in ${pending}; ${plan.kind} failed: ${outputTail(result)}`,
        details: [{ release, namespace, pending: plan.pending, recovery: plan.kind }],
      });
    }
    const done = plan.kind === 'rollback' ? `rolled back ${pending} to revision ${plan.to.revision}` : `uninstalled ${pending}`;
    ctx.log.info(`release ${release}: ${done}`);
    return done;
  }
}

/** Handles a failed install or upgrade per `onFailure` and builds the failure that says what state the release is in now. */
export async function releaseFailure(
  step: ReleaseStep,
  failed: { result: HelmResult; chartRef: string; onFailure: 'rollback' | 'keep'; hook: Hook },
): Promise<ApplicationFailure> {
  const { release, namespace } = step;
  const history = await releaseHistory(step.helm, release, namespace);
  const latest = latestRevision(history);
  let state = latest ? `kept at revision ${latest.revision} (${latest.status}) for inspection` : 'not installed';
  if (failed.onFailure === 'rollback' && latest) {
    const good = lastGoodRevision(history);
    const undo = good ? await rollback(step, good.revision) : await uninstall(step);
    const target = good ? `rolled back to revision ${good.revision} (${good.chart}, app ${good.appVersion})` : 'uninstalled';
    state = undo.code === 0 ? target : `left at revision ${latest.revision} (${latest.status}); the attempt to get ${target} failed: ${outputTail(undo, 500)}`;
  }
  const verb = failed.hook === 'setup' ? 'install' : 'upgrade';
  return ApplicationFailure.create({
    type: FailureType.ReleaseFailed,
    nonRetryable: !isTransientHelmFailure(failed.result),
    message: `helm ${verb} of release "${release}" (${failed.chartRef}) in namespace "${namespace}" failed: ${outputTail(failed.result)}\nRelease now: ${state}`,
    details: [{ release, namespace, chart: failed.chartRef, onFailure: failed.onFailure, state, exitCode: failed.result.code }],
  });
}
