/**
 * The deployment record as a run changes it: marked in progress when the run starts, then
 * deployed or failed, with the run in its history. Pure functions; activities store the result.
 */
import { DeploymentStatus, RunRecordStatus, recordHistoryLimit, type DeploymentRecord, type RunRecord } from '../contract/record.js';
import { type Hook } from '../contract/lifecycle.js';
import { ActionState, ModeState, type RunProgress } from '../contract/progress.js';
import { type PreparedRun } from '../contract/plan.js';

/** Identity of the run, for its history entry. */
export interface RunIdentity {
  hook: Hook;
  workflowId: string;
  runId: string;
  startedAt: string;
}

/** The record while the run works: the previous state stays, the run is appended in progress. */
export function startedRecord(previous: DeploymentRecord | null, run: PreparedRun, id: RunIdentity): DeploymentRecord {
  const { context, versions } = run;
  const entry: RunRecord = {
    hook: id.hook,
    workflowId: id.workflowId,
    runId: id.runId,
    fromVersion: versions.current,
    toVersion: versions.target,
    fromDriverVersion: previous?.driverVersion,
    toDriverVersion: context.driver.version,
    status: RunRecordStatus.InProgress,
    startedAt: id.startedAt,
  };
  const base: DeploymentRecord = previous ?? {
    deploymentId: context.deployment.id,
    driver: context.driver.name,
    driverVersion: context.driver.version,
    appVersion: versions.target,
    namespace: context.deployment.namespace,
    release: context.instance.release,
    status: DeploymentStatus.InProgress,
    parameters: context.parameters,
    secretParameters: run.secretParameters,
    config: context.instance.config,
    history: [],
  };
  return { ...base, status: DeploymentStatus.InProgress, history: [...base.history, entry].slice(-recordHistoryLimit) };
}

/** The record after a successful run: the new versions and parameters are what is deployed. */
export function succeededRecord(started: DeploymentRecord, run: PreparedRun, endedAt: string): DeploymentRecord {
  const { context, versions } = run;
  return {
    ...started,
    driver: context.driver.name,
    driverVersion: context.driver.version,
    appVersion: versions.target,
    parameters: context.parameters,
    secretParameters: run.secretParameters,
    config: context.instance.config,
    status: DeploymentStatus.Deployed,
    history: closeLast(started.history, { status: RunRecordStatus.Succeeded, endedAt }),
  };
}

/** The record after a failed run: versions stay as they were; the run says why and what it left. */
export function failedRecord(started: DeploymentRecord, progress: RunProgress, error: string, endedAt: string): DeploymentRecord {
  return {
    ...started,
    status: DeploymentStatus.Failed,
    history: closeLast(started.history, { status: RunRecordStatus.Failed, endedAt, error, stateLeft: stateLeft(progress) }),
  };
}

/** A one-line account of what a failed run changed before it stopped. */
function stateLeft(progress: RunProgress): string {
  const parts = progress.modes
    .filter((mode) => mode.state !== ModeState.Pending && mode.state !== ModeState.Skipped)
    .map((mode) => {
      const done = mode.actions.filter((a) => a.state === ActionState.Succeeded).map((a) => a.name);
      const failed = mode.actions.filter((a) => a.state === ActionState.Failed).map((a) => a.name);
      const said = [done.length ? `done: ${done.join(', ')}` : '', failed.length ? `failed: ${failed.join(', ')}` : ''];
      return `${mode.mode} ${mode.state}${said.some(Boolean) ? ` (${said.filter(Boolean).join('; ')})` : ''}`;
    });
  const untouched = progress.modes.filter((m) => m.state === ModeState.Skipped).map((m) => m.mode);
  if (untouched.length) parts.push(`not run: ${untouched.join(', ')}`);
  return parts.join('; ') || 'nothing ran';
}

function closeLast(history: RunRecord[], end: Partial<RunRecord>): RunRecord[] {
  const last = history[history.length - 1];
  return last ? [...history.slice(0, -1), { ...last, ...end }] : history;
}
