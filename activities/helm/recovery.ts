/**
 * Getting a release back to a state helm can work from: before a step, out of a pending state
 * left by a dead client; after a failed step, back to the last good revision (or kept as is).
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import type { Hook } from '../../contract/lifecycle.js';
import { isTransientHelmFailure, outputTail, type HelmResult } from './binary.js';
import { lastGoodRevision, latestRevision, planPendingRecovery, releaseHistory } from './history.js';

/** The release a step works on and the means to run helm against it. */
export interface ReleaseStep {
  release: string;
  namespace: string;
  timeoutSeconds: number;
  /** Runs helm; `log` sends its output to the activity log. */
  helm: (args: string[], log?: boolean) => Promise<HelmResult>;
  /** Names what the step is doing now (shown in heartbeats). */
  setStep: (step: string) => void;
  /** Stops again the stopped workloads a rollback started; returns their `Kind/name`. */
  stopAgain: () => Promise<string[]>;
  ctx: Context;
}

const pollMs = 2_000;
/** How long a pending revision of an earlier attempt of the step may still change by itself. */
const ownRevisionGraceMs = 10_000;

async function rollback(step: ReleaseStep, revision: number): Promise<HelmResult> {
  step.setStep(`rolling back to revision ${revision}`);
  return step.helm(
    [
      'rollback',
      step.release,
      String(revision),
      '--namespace',
      step.namespace,
      '--wait',
      '--timeout',
      `${step.timeoutSeconds}s`,
      '--history-max',
      '10',
    ],
    true,
  );
}

/**
 * What a rollback left of the stopped workloads, for messages: a rollback cannot be post-rendered,
 * so the revision it restores scales them up again; they are stopped again right after it.
 */
async function afterRollback(step: ReleaseStep): Promise<string> {
  step.setStep('stopping again what the rollback started');
  const names = await step.stopAgain();
  if (names.length === 0) return '';
  step.ctx.log.warn(
    `release ${step.release}: the rollback started stopped workloads; stopped them again: ${names.join(', ')}`,
  );
  return `; stopped again what the rollback started: ${names.join(', ')}`;
}

async function uninstall(step: ReleaseStep): Promise<HelmResult> {
  step.setStep('uninstalling a release that never deployed');
  return step.helm(
    ['uninstall', step.release, '--namespace', step.namespace, '--wait', '--timeout', `${step.timeoutSeconds}s`],
    true,
  );
}

/**
 * Brings the release to a state a new install or upgrade can start from, and says what it did:
 * waits while a pending revision may still belong to a live helm; once it is older than
 * `staleAfterMs`, rolls it back to the last good revision (or uninstalls it if none exists).
 * A pending revision started by an earlier attempt of this step (at or after `abandonedSinceMs`)
 * is recovered at once. A release whose latest revision failed after a good one is rolled back to that one too: helm
 * merges an upgrade against the last *deployed* manifest, so what the failed revision added to
 * the objects would otherwise stay.
 */
export async function prepareRelease(
  step: ReleaseStep,
  staleAfterMs: number,
  abandonedSinceMs?: number,
): Promise<string | undefined> {
  const { release, namespace, ctx } = step;
  // An earlier attempt's helm is told to stop when its attempt ends, and marks its revision failed
  // within seconds; an attempt that timed out on a live worker may take a few seconds to notice.
  // So its revision gets a short grace before it counts as abandoned.
  const graceEnds = Date.now() + ownRevisionGraceMs;
  for (;;) {
    const history = await releaseHistory(step.helm, release, namespace);
    const abandonedSince = Date.now() >= graceEnds ? abandonedSinceMs : undefined;
    const plan = planPendingRecovery(history, new Date(), staleAfterMs, abandonedSince);
    if (plan.kind === 'wait') {
      step.setStep(
        `waiting for revision ${plan.pending.revision} (${plan.pending.status}): another helm may still be working on it`,
      );
      ctx.heartbeat({ release, step: 'waiting-for-pending', pending: plan.pending.revision });
      await ctx.sleep(Math.min(pollMs, Math.max(staleAfterMs - plan.ageMs, 100)));
      continue;
    }
    const latest = latestRevision(history);
    const good = lastGoodRevision(history);
    if (plan.kind === 'none' && !(latest?.status === 'failed' && good)) return undefined;
    const left = `revision ${latest?.revision} (${latest?.status}, since ${latest?.updated})`;
    if (plan.kind !== 'none')
      ctx.log.warn(`release ${release} was left in ${left} by a helm that is gone; recovering with ${plan.kind}`);
    const result = good ? await rollback(step, good.revision) : await uninstall(step);
    const stoppedAgain = good ? await afterRollback(step) : '';
    const done = good ? `rolled back ${left} to revision ${good.revision}${stoppedAgain}` : `uninstalled ${left}`;
    if (result.code !== 0) {
      throw ApplicationFailure.create({
        type: FailureType.ReleaseFailed,
        nonRetryable: false,
        message: `release "${release}" in namespace "${namespace}" is at ${left}; it could not be ${good ? `rolled back to revision ${good.revision}` : 'uninstalled'}: ${outputTail(result)}`,
        details: [{ release, namespace, latest, recovery: good ? 'rollback' : 'uninstall' }],
      });
    }
    ctx.log.info(`release ${release}: ${done}`);
    return done;
  }
}

const couldNotStopAgain =
  "stopped workloads the rollback started may be running: stopping them again failed (the next run's stop stops them)";

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
    const target = good
      ? `rolled back to revision ${good.revision} (${good.chart}, app ${good.appVersion})`
      : 'uninstalled';
    state =
      undo.code === 0
        ? target
        : `left at revision ${latest.revision} (${latest.status}); the attempt to get ${target} failed: ${outputTail(undo, 500)}`;
    if (good) state += await afterRollback(step).catch((err: Error) => `; ${couldNotStopAgain}: ${err.message}`);
  }
  const verb = failed.hook === 'setup' ? 'install' : 'upgrade';
  return ApplicationFailure.create({
    type: FailureType.ReleaseFailed,
    nonRetryable: !isTransientHelmFailure(failed.result),
    message: `helm ${verb} of release "${release}" (${failed.chartRef}) in namespace "${namespace}" failed: ${outputTail(failed.result)}\nRelease now: ${state}`,
    details: [
      { release, namespace, chart: failed.chartRef, onFailure: failed.onFailure, state, exitCode: failed.result.code },
    ],
  });
}
