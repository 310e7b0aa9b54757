/**
 * The deployment record as a run changes it: marked in progress when the run starts, then
 * deployed or failed, with the run in its history. Pure functions; activities store the result.
 */
import {
  DeploymentStatus,
  RunRecordStatus,
  recordHistoryLimit,
  type DeploymentRecord,
  type RunRecord,
} from '../contract/record.js';
import { describeDecision } from '../contract/decisions.js';
import { Mode, type Hook } from '../contract/lifecycle.js';
import { ModeState, type RunProgress } from '../contract/progress.js';
import { stateLeft } from './run-tracker.js';
import type { PreparedRun } from '../contract/plan.js';

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
  const base: DeploymentRecord = previous
    ? recordInterrupted(previous, run, id.startedAt)
    : {
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

/** The previous record with its last run closed, when that run was terminated before it could record its end. */
function recordInterrupted(previous: DeploymentRecord, run: PreparedRun, now: string): DeploymentRecord {
  const gone = run.interruptedRun;
  const last = previous.history.at(-1);
  if (!gone || last?.workflowId !== gone.workflowId || last.runId !== gone.runId) return previous;
  const why = `the run was ${gone.closedAs} before it could record how it ended${gone.reason ? ` (${gone.reason})` : ''}`;
  const end = {
    status: RunRecordStatus.Terminated,
    endedAt: gone.closedAt ?? now,
    error: why,
    stateLeft: 'unknown: the run stopped without cleaning up',
  };
  return {
    ...previous,
    status: previous.status === DeploymentStatus.InProgress ? DeploymentStatus.Failed : previous.status,
    history: closeLast(previous.history, end),
  };
}

/** The deployed versions, parameters and configuration are the run's: its release is live. */
function deployedBy(record: DeploymentRecord, run: PreparedRun): DeploymentRecord {
  const { context, versions } = run;
  return {
    ...record,
    driver: context.driver.name,
    driverVersion: context.driver.version,
    appVersion: versions.target,
    parameters: context.parameters,
    secretParameters: run.secretParameters,
    config: context.instance.config,
  };
}

/** The record after a successful run: the new versions and parameters are what is deployed. */
export function succeededRecord(
  started: DeploymentRecord,
  run: PreparedRun,
  endedAt: string,
  progress?: RunProgress,
): DeploymentRecord {
  return {
    ...deployedBy(started, run),
    status: DeploymentStatus.Deployed,
    history: closeLast(started.history, { status: RunRecordStatus.Succeeded, endedAt, ...decisionsOf(progress) }),
  };
}

/** The decisions of a run, as its history entry keeps them. */
function decisionsOf(progress: RunProgress | undefined): Pick<RunRecord, 'decisions'> {
  return progress?.decisions?.length ? { decisions: progress.decisions.map(describeDecision) } : {};
}

/** How a run that did not succeed ended. */
export interface RunEnding {
  status: typeof RunRecordStatus.Failed | typeof RunRecordStatus.Cancelled;
  error: string;
  endedAt: string;
}

/**
 * The record after a failed or cancelled run: it says why and what the run left. Once core (the
 * release) succeeded the application runs the new version, so the record says so even when a
 * later mode failed.
 */
export function unsucceededRecord(
  started: DeploymentRecord,
  run: PreparedRun,
  progress: RunProgress,
  ending: RunEnding,
): DeploymentRecord {
  const released = progress.modes.some((mode) => mode.mode === Mode.Core && mode.state === ModeState.Succeeded);
  return {
    ...(released ? deployedBy(started, run) : started),
    status: DeploymentStatus.Failed,
    history: closeLast(started.history, { ...ending, stateLeft: stateLeft(progress), ...decisionsOf(progress) }),
  };
}

function closeLast(history: RunRecord[], end: Partial<RunRecord>): RunRecord[] {
  const last = history[history.length - 1];
  return last ? [...history.slice(0, -1), { ...last, ...end }] : history;
}
