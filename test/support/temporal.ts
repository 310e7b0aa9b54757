/** Connecting tests to the run's Temporal dev server, one task queue per test. */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Mode } from '../../contract/lifecycle.js';
import { actionWorkflowId } from '../../contract/plan.js';

/** Client and worker connections to the dev server started by the global setup. */
export interface TemporalTestConnections {
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectToTestServer(): Promise<TemporalTestConnections> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address)
    throw new Error('TEMPORAL_ADDRESS is not set: run the tests with `npm test`, whose global setup starts Temporal');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection }),
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** A fresh task queue (and deployment id prefix) per test, so tests never see each other's work. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The first argument of every `activityType` activity a workflow scheduled, decoded from its history. */
export async function activityInputs(client: Client, workflowId: string, activityType: string): Promise<unknown[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== activityType) return [];
    const [first] = scheduled.input?.payloads ?? [];
    return first ? [defaultPayloadConverter.fromPayload(first)] : [];
  });
}

/** The workflow id of an action of a run: the `<mode>/<action>` child of the run's latest execution. */
export async function actionId(client: Client, runWorkflowId: string, mode: Mode, action: string): Promise<string> {
  const { runId } = await client.workflow.getHandle(runWorkflowId).describe();
  return actionWorkflowId({ workflowId: runWorkflowId, runId }, mode, action);
}
