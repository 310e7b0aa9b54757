/** The Helm release step: its settings, input and result. */
import type { Hook } from './lifecycle.js';
import type { ReleaseSettings, RunContext } from './run-context.js';

/** Input of `releaseChart`. */
export interface ReleaseChartInput extends ReleaseSettings {
  deploymentId: string;
  hook: Hook;
  context: RunContext;
}

/** What `releaseChart` did. */
export interface ReleaseChartResult {
  release: string;
  namespace: string;
  revision: number;
  status: string;
  chart: string;
  chartVersion: string;
  appVersion: string;
  action: 'installed' | 'upgraded' | 'unchanged';
  /** helm's own output of the install or upgrade (empty when unchanged). */
  output: string;
  /** What was done first about a release left pending by a dead client, if anything. */
  recovered?: string;
  /** Workloads Styrmin had stopped that the release kept stopped (`Deployment/task-worker`); empty when unchanged. */
  keptStopped: string[];
}
