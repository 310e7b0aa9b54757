/**
 * Every activity the worker registers, by the name workflows call it. Workflow code sees
 * activities only through this interface (`proxyActivities<Activities>`); the factories in
 * `activities/` implement it.
 */
import type { CheckHttpInput, CheckHttpResult } from './checks.js';
import type {
  CommandResult,
  ComponentStatus,
  ComponentsInput,
  ExecuteCommandsInput,
  StoppedWorkload,
  WaitForComponentsInput,
  WorkloadChange,
} from './kubernetes.js';
import type { LockHolder } from './lock.js';
import type { CancellationRequest, PreparedRun, PrepareRunInput } from './plan.js';
import type { DeploymentRecord, ReadDeploymentRecordInput, WriteDeploymentRecordInput } from './record.js';
import type { ReleaseChartInput, ReleaseChartResult } from './release.js';
import type { ParameterValue } from './lifecycle.js';
import type { ReadSecretParameterInput, StoreSecretParametersInput } from './secrets.js';

/** Starting a run: resolving the driver and input, and naming the holder of a lock. */
export interface RunActivities {
  /** Checks a hook's input against its driver and returns the frozen context and the plan. */
  prepareRun(input: PrepareRunInput): Promise<PreparedRun>;
  /**
   * Who holds a deployment's lock; undefined once it is free. With `waitIfHolderClosed`, a lock
   * whose holder has closed is waited for (a few seconds at most) until it ends with it.
   */
  describeLockHolder(input: { lockWorkflowId: string; waitIfHolderClosed?: boolean }): Promise<LockHolder | undefined>;
  /** Who asked Temporal to cancel a run, and why, from the run's history. */
  describeCancellation(input: { workflowId: string; runId: string }): Promise<CancellationRequest>;
}

/** The Kubernetes primitives, and the deployment's namespace. */
export interface KubernetesActivities {
  stopComponents(input: ComponentsInput): Promise<WorkloadChange[]>;
  startComponents(input: ComponentsInput): Promise<WorkloadChange[]>;
  executeCommands(input: ExecuteCommandsInput): Promise<CommandResult[]>;
  waitForComponents(input: WaitForComponentsInput): Promise<ComponentStatus[]>;
  getComponentStatus(input: ComponentsInput): Promise<ComponentStatus[]>;
  /** The workloads of the components that a stop left stopped (still annotated), for an account of a run. */
  stoppedWorkloads(input: ComponentsInput): Promise<StoppedWorkload[]>;
  /** Creates the namespace unless it exists. */
  ensureNamespace(input: { namespace: string }): Promise<{ created: boolean }>;
}

/** The Helm release step. */
export interface HelmActivities {
  /** Installs or upgrades the deployment's Helm release; see docs/release.md. */
  releaseChart(input: ReleaseChartInput): Promise<ReleaseChartResult>;
}

/** The deployment record in the cluster. */
export interface RecordActivities {
  /** Reads the deployment record (secret parameter values masked), or null when there is none. */
  readDeploymentRecord(input: ReadDeploymentRecordInput): Promise<DeploymentRecord | null>;
  /** Creates or updates the deployment record; returns it with its new resourceVersion. */
  writeDeploymentRecord(input: WriteDeploymentRecordInput): Promise<DeploymentRecord>;
}

/** Secret parameter values, kept in the deployment's Secret and never returned to a workflow but by `readSecretParameter`. */
export interface SecretActivities {
  /** Keeps the secret values a run's input gave (or referred to) in the deployment's Secret. */
  storeSecretParameters(input: StoreSecretParametersInput): Promise<{ stored: string[] }>;
  /** The value of one secret parameter, for an action that needs it. */
  readSecretParameter(input: ReadSecretParameterInput): Promise<ParameterValue>;
}

/** Checks of the application from outside the cluster. */
export interface CheckActivities {
  checkHttp(input: CheckHttpInput): Promise<CheckHttpResult>;
}

/** Every activity of the worker. */
export interface Activities
  extends RunActivities, KubernetesActivities, HelmActivities, RecordActivities, SecretActivities, CheckActivities {}
