/**
 * The client SDK: start `setup` and `upgrade`, follow a run's progress, cancel it. Other services
 * import this module; the `styrmin` CLI uses it too.
 *
 * @example
 * const client = await connectClient();
 * const run = await startUpgrade(client, { deploymentId: 'shop', driver: 'example-app', namespace: 'shop', targetVersion: '2.0.0' });
 * console.log(await getProgress(client, run.workflowId));
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { configFromEnv, taskQueue, type StyrminConfig } from './runtime/config.js';
import { progressQuery } from './contract/messages.js';
import type { Hook, RunResult, SetupInput, UpgradeInput } from './contract/lifecycle.js';
import type { RunProgress } from './contract/progress.js';

export { progressQuery } from './contract/messages.js';
export type * from './contract/lifecycle.js';
export { FailureType } from './contract/failures.js';

/** Connects to Temporal as configured by the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS). */
export async function connectClient(config: StyrminConfig = configFromEnv()): Promise<Client> {
  const connection = await Connection.connect({ address: config.address, tls: config.tls, apiKey: config.apiKey });
  return new Client({ connection, namespace: config.namespace });
}

/** Options of a start. */
export interface StartOptions {
  /** @default '<deploymentId>/<hook>' */
  workflowId?: string;
  /** @default 'styrmin' (STYRMIN_TASK_QUEUE) */
  taskQueue?: string;
}

function startOptions(hook: Hook, deploymentId: string, options: StartOptions) {
  return {
    workflowId: options.workflowId ?? `${deploymentId}/${hook}`,
    taskQueue: options.taskQueue ?? (process.env.STYRMIN_TASK_QUEUE || taskQueue),
  };
}

/** Starts the `setup` workflow of a new deployment. */
export function startSetup(client: Client, input: SetupInput, options: StartOptions = {}): Promise<WorkflowHandle> {
  return client.workflow.start('setup', { ...startOptions('setup', input.deploymentId, options), args: [input] });
}

/** Starts the `upgrade` workflow of an existing deployment. */
export function startUpgrade(client: Client, input: UpgradeInput, options: StartOptions = {}): Promise<WorkflowHandle> {
  return client.workflow.start('upgrade', { ...startOptions('upgrade', input.deploymentId, options), args: [input] });
}

/** Each mode and action of a run with its state, attempts, times and last error. */
export function getProgress(client: Client, workflowId: string): Promise<RunProgress> {
  return client.workflow.getHandle(workflowId).query(progressQuery);
}

/** Waits for a run to end and returns its result; throws `WorkflowFailedError` when it failed. */
export function waitForRun(client: Client, workflowId: string): Promise<RunResult> {
  return client.workflow.getHandle(workflowId).result() as Promise<RunResult>;
}

/** Asks a run to stop; running actions are cancelled. */
export async function cancelRun(client: Client, workflowId: string): Promise<void> {
  await client.workflow.getHandle(workflowId).cancel();
}
