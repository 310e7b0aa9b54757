/**
 * The deployment record kept in the cluster: what is deployed and the last runs on it.
 * Pure types and constants (no imports of Node or clients): workflow code imports them.
 */
import type { Hook, ParameterValue } from './lifecycle.js';

/** State of the deployment as a whole. */
export const DeploymentStatus = { Deployed: 'deployed', Failed: 'failed', InProgress: 'in-progress' } as const;
export type DeploymentStatus = (typeof DeploymentStatus)[keyof typeof DeploymentStatus];

/** Outcome of one lifecycle run. */
export const RunRecordStatus = {
  InProgress: 'in-progress',
  Succeeded: 'succeeded',
  Failed: 'failed',
  /** An operator cancelled the run; it recorded where it stopped. */
  Cancelled: 'cancelled',
  /** The run was terminated (or timed out) and could not record its end; the next run did. */
  Terminated: 'terminated',
} as const;
export type RunRecordStatus = (typeof RunRecordStatus)[keyof typeof RunRecordStatus];

/** One lifecycle run on the deployment, as the history keeps it. */
export interface RunRecord {
  hook: Hook;
  workflowId: string;
  runId: string;
  /** Application version before the run; absent on setup. */
  fromVersion?: string;
  toVersion: string;
  fromDriverVersion?: string;
  toDriverVersion?: string;
  status: RunRecordStatus;
  /** ISO 8601 times. */
  startedAt: string;
  endedAt?: string;
  /** Why the run failed. */
  error?: string;
  /** What the run left behind when it failed (e.g. "rolled back to revision 3"). */
  stateLeft?: string;
  /** The approvals and decisions operators took during the run, a line each (`approved core by alice at ...`). */
  decisions?: string[];
}

/** The deployment record; `parameters` holds every value, secret ones included (re-read from their Secret). */
export interface DeploymentRecord {
  deploymentId: string;
  driver: string;
  driverVersion: string;
  appVersion: string;
  namespace: string;
  release: string;
  status: DeploymentStatus;
  parameters: Record<string, ParameterValue>;
  /** Names of the parameters whose values live in the Secret `styrmin-deployment-<id>-secrets`, never in the ConfigMap. */
  secretParameters: string[];
  /** The operator's per-deployment configuration (`instance.config`), so an upgrade renders the same overrides. */
  config?: Record<string, unknown>;
  /** The last runs, oldest first, at most {@link recordHistoryLimit}. */
  history: RunRecord[];
  /** When the record was last written (set on write). */
  updatedAt?: string;
  /** Version of the ConfigMap as read; a write based on it fails over to a merge if someone wrote in between. */
  resourceVersion?: string;
}

/** How many runs the history keeps. */
export const recordHistoryLimit = 10;

/** Input of `readDeploymentRecord`. */
export interface ReadDeploymentRecordInput {
  deploymentId: string;
  namespace: string;
}

/** Input of `writeDeploymentRecord`. */
export interface WriteDeploymentRecordInput {
  deploymentId: string;
  namespace: string;
  record: DeploymentRecord;
}
