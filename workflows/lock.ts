/**
 * One lifecycle run per deployment at a time. The lock is a child workflow with the fixed id
 * `<deployment>/lock`: Temporal refuses to start a second workflow with the id of a running one,
 * so acquiring is atomic on the server. The lock ends when its holder closes, however it closes
 * (completed, failed, cancelled or terminated): its parent-close policy has Temporal terminate
 * it then, on the server, so no worker needs to be there for it. Locks taken before this ended
 * on a `releaseLock` signal from their holder, which then waited for them to end: two more round
 * trips at the end of every run.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  patched,
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { FailureType } from '../contract/failures.js';
import { releaseLockSignal } from '../contract/messages.js';
import { bookkeeping } from './activity-options.js';
import type { Hook } from '../contract/lifecycle.js';
import { lockWorkflowId, type LockHolder } from '../contract/lock.js';
import { deploymentIdKey, kindKey, summaryKey, WorkflowKind } from '../contract/search-attributes.js';
import { kindAndSummaryPatch } from './patches.js';

/** Patch id: a lock ends when its holder closes, without a signal. */
const freedOnClosePatch = 'lock-freed-when-holder-closes';

/** What Temporal Web shows for a lock: a Terminated lock is one whose run has ended. */
const lockDetails =
  'Held by the run that started it, until that run closes. Temporal then terminates the lock ' +
  '(parent-close policy): a Terminated lock is the normal end of a run, whatever its outcome.';

/**
 * Holds a deployment's lock until its holder closes (or, for holders started before locks ended
 * with them, until it sends `releaseLock`). A cancelled holder still records how its run ended
 * before another run may start, so the lock ignores cancellation.
 */
export async function deploymentLock(holder: LockHolder): Promise<LockHolder> {
  let released = false;
  setHandler(releaseLockSignal, () => void (released = true), {
    description: 'Frees the deployment: the run holding the lock has ended',
  });
  await CancellationScope.nonCancellable(() => condition(() => released));
  return holder;
}

/** A lock taken, and how it ends. */
export interface DeploymentLock {
  handle: ChildWorkflowHandle<typeof deploymentLock>;
  /** True when the lock ends by itself as its holder closes; false for locks taken before that. */
  freedOnClose: boolean;
}

/**
 * Takes the deployment's lock, or fails without retry naming the run that holds it. A lock whose
 * holder has just closed is about to end: the run waits for that (a run started right after
 * another one returned meets it) and takes the lock then.
 */
export async function acquireDeploymentLock(deploymentId: string, hook: Hook): Promise<DeploymentLock> {
  const { workflowId, runId } = workflowInfo();
  const freedOnClose = patched(freedOnClosePatch);
  const holder: LockHolder = { workflowId, runId, hook };
  const lockId = lockWorkflowId(deploymentId);
  const summary = `lock of deployment ${deploymentId}, held by ${hook} ${workflowId}`;
  const start = () =>
    startChild(deploymentLock, {
      workflowId: lockId,
      args: [holder],
      memo: { ...holder },
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      // The lock ignores cancellation: a cancelled holder need not ask for it.
      ...(freedOnClose ? { cancellationType: ChildWorkflowCancellationType.ABANDON, staticDetails: lockDetails } : {}),
      staticSummary: summary,
      ...(patched(kindAndSummaryPatch)
        ? {
            typedSearchAttributes: [
              { key: deploymentIdKey, value: deploymentId },
              { key: kindKey, value: WorkflowKind.Lock },
              { key: summaryKey, value: summary.slice(0, 200) },
            ],
          }
        : {}),
    });
  for (let attempt = 1; ; attempt++) {
    try {
      return { handle: await start(), freedOnClose };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    const running = await bookkeeping(`ask Temporal which run holds ${lockId}`).describeLockHolder({
      lockWorkflowId: lockId,
      ...(freedOnClose ? { waitIfHolderClosed: true } : {}),
    });
    if (!running && freedOnClose && attempt === 1) continue;
    const who = running
      ? `the ${running.hook} run "${running.workflowId}" (run id ${running.runId})`
      : `the run holding "${lockId}"`;
    throw ApplicationFailure.create({
      type: FailureType.DeploymentLocked,
      nonRetryable: true,
      message:
        `deployment "${deploymentId}" is busy: ${who} is still running. ` +
        `Wait for it to end, or cancel it, then start this ${hook} again.`,
      details: [{ deploymentId, hook, holder: running }],
    });
  }
}

/**
 * Frees a lock taken before locks ended with their holder: signals it and waits until it is gone,
 * so a run started right after can take it. A lock freed on close needs nothing.
 */
export async function releaseDeploymentLock(lock: DeploymentLock): Promise<void> {
  if (lock.freedOnClose) return;
  await lock.handle.signal(releaseLockSignal);
  await lock.handle.result();
}
