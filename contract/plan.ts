/** A prepared run: the frozen context and the steps of each mode, resolved once when the run starts. */
import type { Hook, HookInput, Mode, Versions } from './lifecycle.js';
import type { DeploymentRecord } from './record.js';
import type { ReleaseSettings, RunContext } from './run-context.js';

/** Name of the built-in Helm release step, as progress and the record show it. */
export const releaseStepName = 'helm-release';

/** A driver action, run as a child workflow. */
export interface ActionStep {
  kind: 'action';
  name: string;
  hook: Hook;
  mode: Mode;
  /** Workflow type the action is registered under: `<driver>@<driverVersion>/<action>`. */
  workflowType: string;
  description?: string;
}

/** The built-in Helm release step: the core of a hook without core actions whose driver has a chart. */
export interface ReleaseStep {
  kind: 'release';
  name: typeof releaseStepName;
}

/** One step of a mode. */
export type PlannedStep = ActionStep | ReleaseStep;

/** The steps of one mode, all started at once; a mode without steps is skipped. */
export interface ModePlan {
  mode: Mode;
  steps: PlannedStep[];
}

/**
 * Workflow id of an action's child workflow: under its run's workflow id and run id, so every
 * run's actions have ids of their own, e.g. `shop/upgrade/01a237dd-…/pre/stop_workers`.
 */
export function actionWorkflowId(run: { workflowId: string; runId: string }, mode: Mode, action: string): string {
  return `${run.workflowId}/${run.runId}/${mode}/${action}`;
}

/** Workflow type of an action: namespaced by driver and driver version. */
export function actionWorkflowType(driver: string, driverVersion: string, action: string): string {
  return `${driver}@${driverVersion}/${action}`;
}

/** What `prepareRun` is asked. */
export interface PrepareRunInput {
  hook: Hook;
  input: HookInput;
  workflowId: string;
  /** The deployment record in the cluster, null when the deployment has none. */
  record: DeploymentRecord | null;
}

/** A run the record shows in progress whose workflow has closed without recording its end (terminated, timed out). */
export interface InterruptedRun {
  workflowId: string;
  runId: string;
  /** How Temporal closed it: `terminated`, `timed out`, ... */
  closedAs: string;
  /** ISO 8601 time it closed. */
  closedAt?: string;
  /** The termination's reason and who asked for it, when Temporal knows. */
  reason?: string;
}

/** Who asked for a run's cancellation (the client's identity) and the reason they gave, if any. */
export interface CancellationRequest {
  identity?: string;
  reason?: string;
}

/** Everything a run needs, resolved once when it starts: checked input, frozen context, plan. */
export interface PreparedRun {
  context: RunContext;
  versions: Versions;
  plan: ModePlan[];
  release: ReleaseSettings;
  /** Names of secret parameters: the record keeps them in a Secret, never in clear. */
  secretParameters: string[];
  /** The record's last run, when it never recorded its end; this run records it. */
  interruptedRun?: InterruptedRun;
}
