/**
 * One lifecycle run per deployment at a time. The lock is a child workflow with the fixed id
 * `<deployment>/lock`: Temporal refuses to start a second workflow with the id of a running one,
 * so acquiring is atomic on the server, and the parent-close policy frees the lock even when the
 * holder is terminated.
 */
import {
  ApplicationFailure,
  CancellationScope,
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
import { quickOptions, summarized } from './activity-options.js';
import type { Hook } from '../contract/lifecycle.js';
import { lockWorkflowId, type LockHolder } from '../contract/lock.js';
import { deploymentIdKey, kindKey, summaryKey, WorkflowKind } from '../contract/search-attributes.js';
import { kindAndSummaryPatch } from './patches.js';

/**
 * Holds a deployment's lock until its holder sends `releaseLock` or closes. A cancelled holder
 * cancels its children too; the lock ignores that and waits for the holder's release, so the
 * holder can still record how its run ended before another run may start.
 */
export async function deploymentLock(holder: LockHolder): Promise<LockHolder> {
  let released = false;
  setHandler(releaseLockSignal, () => void (released = true), {
    description: 'Frees the deployment: the run holding the lock has ended',
  });
  await CancellationScope.nonCancellable(() => condition(() => released));
  return holder;
}

/** Takes the deployment's lock, or fails without retry naming the run that holds it. */
export async function acquireDeploymentLock(
  deploymentId: string,
  hook: Hook,
): Promise<ChildWorkflowHandle<typeof deploymentLock>> {
  const { workflowId, runId } = workflowInfo();
  const holder: LockHolder = { workflowId, runId, hook };
  const lockId = lockWorkflowId(deploymentId);
  const summary = `lock of deployment ${deploymentId}, held by ${hook} ${workflowId}`;
  try {
    return await startChild(deploymentLock, {
      workflowId: lockId,
      args: [holder],
      memo: { ...holder },
      parentClosePolicy: ParentClosePolicy.TERMINATE,
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
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const running = await summarized(quickOptions, `ask Temporal which run holds ${lockId}`).describeLockHolder({
      lockWorkflowId: lockId,
    });
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

/** Frees the lock and waits until it is gone, so a run started right after can take it. */
export async function releaseDeploymentLock(lock: ChildWorkflowHandle<typeof deploymentLock>): Promise<void> {
  await lock.signal(releaseLockSignal);
  await lock.result();
}
