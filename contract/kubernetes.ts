/**
 * Inputs and results of the Kubernetes primitives. Workflows import these as types only.
 */
import type { ComponentRef } from './run-context.js';

/** Input of `stopComponents`, `startComponents` and `getComponentStatus`. */
export interface ComponentsInput {
  deploymentId: string;
  namespace: string;
  components: ComponentRef[];
  /** Seconds to wait for the components to settle. @default 300 */
  timeoutSeconds?: number;
}

/** Input of `waitForComponents`. */
export interface WaitForComponentsInput extends ComponentsInput {
  /** `ready`: every workload has all its replicas ready; `stopped`: no pod of the components is left. */
  state: 'ready' | 'stopped';
  timeoutSeconds: number;
}

/** Input of `executeCommands`. */
export interface ExecuteCommandsInput {
  deploymentId: string;
  namespace: string;
  component: ComponentRef;
  /** Container to run in; the pod's first container when omitted. */
  container?: string;
  /** Commands as argv lists, run one after the other; never through a shell. */
  commands: string[][];
  /** Seconds each command may run. @default no limit beyond the activity's own timeouts */
  timeoutSeconds?: number;
  /** Once-only key with the run it is scoped to: a success recorded under both is returned instead of running again. */
  once?: OnceKey;
}

/**
 * A once-only key of `executeCommands` and the lifecycle run it belongs to (the setup or upgrade
 * workflow execution the action runs under). A retry or a resumed run finds the run's record; a
 * later run, with another run id, runs the commands again.
 */
export interface OnceKey {
  /** The driver's key, e.g. `migrate-to-2.0.0`; at most 200 characters. */
  key: string;
  workflowId: string;
  runId: string;
}

/** Workload kinds the primitives act on. */
export const WorkloadKind = { Deployment: 'Deployment', StatefulSet: 'StatefulSet', CronJob: 'CronJob' } as const;
export type WorkloadKind = (typeof WorkloadKind)[keyof typeof WorkloadKind];

/** What a stop or start did to one workload. Replica counts are null for CronJobs. */
export interface WorkloadChange {
  component: string;
  kind: WorkloadKind;
  name: string;
  replicasBefore: number | null;
  replicasAfter: number | null;
  /** CronJobs only: suspended after the call. */
  suspended?: boolean;
  /** False when the workload already was in the wanted state. */
  changed: boolean;
}

/** A workload a stop left stopped: it still carries the stop's annotation. */
export interface StoppedWorkload {
  component: string;
  kind: WorkloadKind;
  name: string;
  /** The replicas a start restores; null for a suspended CronJob. */
  replicas: number | null;
  /** ISO 8601 time of the stop, when the stop recorded it. */
  stoppedAt?: string;
}

/** One pod as status reports show it. */
export interface PodState {
  name: string;
  phase: string;
  ready: boolean;
  terminating: boolean;
  /** Why it is not running well: a container's waiting or terminated reason, or the pod's own. */
  reason?: string;
}

/** One workload as status reports show it. Replica counts are null for CronJobs. */
export interface WorkloadState {
  kind: WorkloadKind;
  name: string;
  desiredReplicas: number | null;
  readyReplicas: number | null;
  /** True once the controller has seen the latest spec. */
  observed: boolean;
  suspended?: boolean;
  /** Replicas remembered by a stop, when the workload is stopped. */
  replicasBeforeStop?: number;
}

/** Status of one component. */
export interface ComponentStatus {
  name: string;
  selector: Record<string, string>;
  /** Every Deployment and StatefulSet has all its desired replicas ready. */
  ready: boolean;
  /** No pod of the component is left (finished Job pods aside). */
  stopped: boolean;
  workloads: WorkloadState[];
  pods: PodState[];
}

/** Result of one command run by `executeCommands`. */
export interface CommandResult {
  command: string[];
  pod: string;
  container: string;
  exitCode: number;
  /** Last 16 KiB of standard output. */
  stdout: string;
  /** Last 16 KiB of standard error. */
  stderr: string;
  /** True when stdout or stderr was longer than what is kept. */
  truncated: boolean;
  durationMs: number;
  /**
   * True when the command did not run now: its success was recorded under the call's once-only key
   * earlier in the same run, and this is that record (output tails cut to 2 KiB or less).
   */
  replayed?: boolean;
}
