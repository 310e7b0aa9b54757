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
import type { PayloadCodec } from '@temporalio/common';
import { codecFromEnv, dataConverterOf } from './runtime/payload-codec.js';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import {
  connectionOptions,
  taskQueueFromEnv,
  temporalConnectionFromEnv,
  type TemporalConnectionConfig,
} from './runtime/config.js';
import { abortUpdate, approveUpdate, progressQuery, retryUpdate, skipUpdate } from './contract/messages.js';
import type { AbortRequest, ApproveRequest, DecisionResult, RetryRequest, SkipRequest } from './contract/decisions.js';
import {
  deploymentIdKey,
  hookKey,
  kindKey,
  modeKey,
  statusKey,
  summaryKey,
  targetVersionKey,
  WorkflowKind,
} from './contract/search-attributes.js';
import { releaseStepName } from './contract/plan.js';
import { Hook, runSummary, runWorkflowId, type SetupInput, type UpgradeInput } from './contract/lifecycle.js';
import type { RunResult, RunProgress } from './contract/progress.js';
// Types only: the signatures the starts are checked against; no workflow code is loaded.
import type { setup, upgrade } from './workflows/hooks.js';

export { progressQuery, approveUpdate, retryUpdate, skipUpdate, abortUpdate } from './contract/messages.js';
export type * from './contract/lifecycle.js';
export type * from './contract/decisions.js';
export { FailureType } from './contract/failures.js';

/**
 * Connects to Temporal as the Temporal CLI would: TOML profile, then TEMPORAL_* variables (see the
 * README). Payloads are encrypted with `codec`, by default the one STYRMIN_CODEC_KEYS or
 * STYRMIN_CODEC_KEY_FILE configures (the worker's keys). When the calling process has an
 * OpenTelemetry tracer provider registered, a start carries its trace context: the run's spans
 * join the caller's trace.
 */
export async function connectClient(
  config: TemporalConnectionConfig = temporalConnectionFromEnv(),
  codec: PayloadCodec | undefined = codecFromEnv(),
): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({
    connection,
    namespace: config.namespace,
    dataConverter: dataConverterOf(codec),
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
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

/**
 * Lets a run that waits with `approveBefore` start its next mode. Rejected (`WorkflowUpdateFailedError`)
 * with a message saying why when the run is not waiting for an approval.
 */
export function approveRun(client: Client, workflowId: string, request: ApproveRequest): Promise<DecisionResult> {
  return getRun(client, workflowId).executeUpdate(approveUpdate, { args: [request] });
}

/** Starts failed actions of a waiting run again (every failed one when `actions` is omitted). */
export function retryActions(client: Client, workflowId: string, request: RetryRequest = {}): Promise<DecisionResult> {
  return getRun(client, workflowId).executeUpdate(retryUpdate, { args: [request] });
}

/** Counts failed actions of a waiting run as skipped, with a reason, and lets it go on. */
export function skipActions(client: Client, workflowId: string, request: SkipRequest): Promise<DecisionResult> {
  return getRun(client, workflowId).executeUpdate(skipUpdate, { args: [request] });
}

/** Aborts a waiting run: it puts back what it stopped, then fails with the reason. */
export function abortRun(client: Client, workflowId: string, request: AbortRequest): Promise<DecisionResult> {
  return getRun(client, workflowId).executeUpdate(abortUpdate, { args: [request] });
}

/** Which runs `listRuns` lists; every filter is optional. */
export interface RunFilter {
  deploymentId?: string;
  /** `running`, `waiting`, `awaiting-approval`, `succeeded`, `failed` or `cancelled`. */
  status?: string;
  hook?: Hook;
  /** At most this many, newest first. @default 50 */
  limit?: number;
}

/** One run as `listRuns` finds it, from its search attributes. */
export interface RunListing {
  workflowId: string;
  runId: string;
  deploymentId?: string;
  hook?: string;
  status?: string;
  mode?: string;
  targetVersion?: string;
  summary?: string;
  startTime: string;
  closeTime?: string;
}

/** The Temporal list query of a filter: runs only (no actions or locks), e.g. `StyrminKind = "run" AND StyrminStatus = "failed"`. */
export function runListQuery(filter: Omit<RunFilter, 'limit'>): string {
  const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const terms = [`${kindKey.name} = ${quote(WorkflowKind.Run)}`];
  if (filter.deploymentId) terms.push(`${deploymentIdKey.name} = ${quote(filter.deploymentId)}`);
  if (filter.status) terms.push(`${statusKey.name} = ${quote(filter.status)}`);
  if (filter.hook) terms.push(`${hookKey.name} = ${quote(filter.hook)}`);
  return terms.join(' AND ');
}

/** Lists runs, newest first, from the search attributes every run sets. */
export async function listRuns(client: Client, filter: RunFilter = {}): Promise<RunListing[]> {
  const limit = filter.limit ?? 50;
  const runs: RunListing[] = [];
  for await (const execution of client.workflow.list({ query: runListQuery(filter), pageSize: Math.min(limit, 100) })) {
    const attributes = execution.typedSearchAttributes;
    runs.push({
      workflowId: execution.workflowId,
      runId: execution.runId,
      deploymentId: attributes.get(deploymentIdKey),
      hook: attributes.get(hookKey),
      status: attributes.get(statusKey),
      mode: attributes.get(modeKey),
      targetVersion: attributes.get(targetVersionKey),
      summary: attributes.get(summaryKey),
      startTime: execution.startTime.toISOString(),
      closeTime: execution.closeTime?.toISOString(),
    });
    if (runs.length >= limit) break;
  }
  return runs;
}
