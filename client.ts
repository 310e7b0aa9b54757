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
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import {
  connectionOptions,
  taskQueueFromEnv,
  temporalConnectionFromEnv,
  type TemporalConnectionConfig,
} from './runtime/config.js';
import { progressQuery } from './contract/messages.js';
import { releaseStepName } from './contract/plan.js';
import { Hook, runSummary, runWorkflowId, type SetupInput, type UpgradeInput } from './contract/lifecycle.js';
import type { RunResult, RunProgress } from './contract/progress.js';
// Types only: the signatures the starts are checked against; no workflow code is loaded.
import type { setup, upgrade } from './workflows/hooks.js';

export { progressQuery } from './contract/messages.js';
export type * from './contract/lifecycle.js';
export { FailureType } from './contract/failures.js';

/** Connects to Temporal as the Temporal CLI would: TOML profile, then TEMPORAL_* variables (see the README). */
export async function connectClient(config: TemporalConnectionConfig = temporalConnectionFromEnv()): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({ connection, namespace: config.namespace });
}

/** Options of a start. */
export interface StartOptions {
  /** @default '<deploymentId>/<hook>' (runWorkflowId) */
  workflowId?: string;
  /** @default STYRMIN_TASK_QUEUE, else 'styrmin' */
  taskQueue?: string;
}

function startOptions(hook: Hook, input: SetupInput | UpgradeInput, options: StartOptions) {
  return {
    workflowId: options.workflowId ?? runWorkflowId(input.deploymentId, hook),
    taskQueue: options.taskQueue ?? taskQueueFromEnv(),
    staticSummary: runSummary(hook, input),
  };
}

/** Starts the `setup` workflow of a new deployment. */
export function startSetup(
  client: Client,
  input: SetupInput,
  options: StartOptions = {},
): Promise<WorkflowHandle<typeof setup>> {
  return client.workflow.start<typeof setup>('setup', {
    ...startOptions(Hook.Setup, input, options),
    args: [input],
  });
}

/** Starts the `upgrade` workflow of an existing deployment. */
export function startUpgrade(
  client: Client,
  input: UpgradeInput,
  options: StartOptions = {},
): Promise<WorkflowHandle<typeof upgrade>> {
  return client.workflow.start<typeof upgrade>('upgrade', {
    ...startOptions(Hook.Upgrade, input, options),
    args: [input],
  });
}

/** A handle on the run with this workflow id, typed by the lifecycle workflows' signatures. */
function getRun(client: Client, workflowId: string): WorkflowHandle<typeof setup | typeof upgrade> {
  return client.workflow.getHandle<typeof setup | typeof upgrade>(workflowId);
}

/** Each mode and action of a run with its state, attempts, times and last error. */
export function getProgress(client: Client, workflowId: string): Promise<RunProgress> {
  return getRun(client, workflowId).query(progressQuery);
}

/**
 * What a run's Helm release step says it is doing, from its last heartbeat (e.g. "waiting for a
 * Helm slot: ..."), or undefined when no release step is running.
 */
export async function releaseStepNow(client: Client, workflowId: string): Promise<string | undefined> {
  const { raw } = await getRun(client, workflowId).describe();
  const pending = raw.pendingActivities?.find((activity) => activity.activityType?.name === 'releaseChart');
  if (!pending) return undefined;
  const [details] = await decodeArrayFromPayloads(
    client.options.loadedDataConverter,
    pending.heartbeatDetails?.payloads,
  );
  return (details as { step?: string } | undefined)?.step ?? 'waiting for a worker to start it';
}

/**
 * What each running step of a run is doing, by step name: the release step's own account, and for
 * an action, the primitives it waits on with their attempt and last error (from its workflow).
 */
export async function stepsNow(client: Client, progress: RunProgress, workflowId: string) {
  const now: Record<string, string> = {};
  for (const step of progress.modes.flatMap((mode) => mode.actions)) {
    if (step.state !== 'running') continue;
    if (step.name === releaseStepName) {
      const release = await releaseStepNow(client, workflowId);
      if (release) now[step.name] = release;
      continue;
    }
    const { raw } = await client.workflow.getHandle(step.workflowId).describe();
    const waits = (raw.pendingActivities ?? []).map((activity) => {
      const attempts = activity.maximumAttempts
        ? `${activity.attempt} of ${activity.maximumAttempts}`
        : activity.attempt;
      const error = activity.lastFailure?.message ? `, last error: ${activity.lastFailure.message.slice(0, 200)}` : '';
      return `${activity.activityType?.name} attempt ${attempts}${error}`;
    });
    // No primitive pending: what the action told the run (a durable wait), if anything.
    const told = (step.now ?? []).map((d) => `${d.what} (since ${d.since})`);
    if (waits.length || told.length) now[step.name] = (waits.length ? waits : told).join('; ');
  }
  return now;
}

/** Waits for a run to end and returns its result; throws `WorkflowFailedError` when it failed. */
export function waitForRun(client: Client, workflowId: string): Promise<RunResult> {
  return getRun(client, workflowId).result();
}

/** Asks a run to stop; running actions are cancelled. */
export async function cancelRun(client: Client, workflowId: string): Promise<void> {
  await getRun(client, workflowId).cancel();
}
