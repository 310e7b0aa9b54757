/**
 * What Temporal knows about how a run ended or was asked to end: a run the record still shows in
 * progress (terminated, timed out) and who cancelled a run. Read from the runs' own histories.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { RunRecordStatus, type DeploymentRecord } from '../../contract/record.js';
import type { CancellationRequest, InterruptedRun } from '../../contract/plan.js';

/** Reasons and identities are free text from whoever called Temporal: keep what reaches the record short. */
const short = (text: string | null | undefined) => (text ? text.slice(0, 200) : undefined);

/** The record's last run, when the record shows it in progress but its workflow has closed. */
export async function findInterruptedRun(
  client: Client,
  record: DeploymentRecord | null,
): Promise<InterruptedRun | undefined> {
  const last = record?.history.at(-1);
  if (!last || last.status !== RunRecordStatus.InProgress) return undefined;
  const handle = client.workflow.getHandle(last.workflowId, last.runId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    // Gone from Temporal (retention passed): it surely ended without recording it.
    if (err instanceof WorkflowNotFoundError)
      return { workflowId: last.workflowId, runId: last.runId, closedAs: 'gone from Temporal' };
    throw err;
  }
  if (description.status.name === 'RUNNING') return undefined;
  const closedAs = description.status.name.toLowerCase().replace(/_/g, ' ');
  const interrupted: InterruptedRun = {
    workflowId: last.workflowId,
    runId: last.runId,
    closedAs,
    closedAt: description.closeTime?.toISOString(),
  };
  if (description.status.name === 'TERMINATED') {
    const { events } = await handle.fetchHistory();
    const terminated = events?.at(-1)?.workflowExecutionTerminatedEventAttributes;
    const why = [
      short(terminated?.reason) && `reason: ${short(terminated?.reason)}`,
      short(terminated?.identity) && `by ${short(terminated?.identity)}`,
    ];
    if (why.some(Boolean)) interrupted.reason = why.filter(Boolean).join(', ');
  }
  return interrupted;
}

/** Who asked Temporal to cancel a run, and the reason they gave, from its history. */
export async function describeCancellation(
  client: Client,
  run: { workflowId: string; runId: string },
): Promise<CancellationRequest> {
  const { events } = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
  const requests = (events ?? []).flatMap((event) => event.workflowExecutionCancelRequestedEventAttributes ?? []);
  const request = requests.at(-1);
  return { identity: short(request?.identity), reason: short(request?.cause) };
}
