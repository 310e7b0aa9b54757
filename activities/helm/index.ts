/**
 * The core-mode activities: the Helm release step and the deployment record, built from the
 * worker's Kubernetes connection (the same one the other kube activities use).
 */
import { releaseChart, type ReleaseChartInput, type ReleaseChartResult, type ReleaseDeps } from './release.js';
import { readDeploymentRecord, writeDeploymentRecord } from '../record/store.js';
import type { DeploymentRecord, ReadDeploymentRecordInput, WriteDeploymentRecordInput } from '../../contract/record.js';

export type { ReleaseChartInput, ReleaseChartResult } from './release.js';

/** Builds `releaseChart`, `readDeploymentRecord` and `writeDeploymentRecord` bound to one cluster connection. */
export function createReleaseActivities(deps: ReleaseDeps) {
  return {
    /** Installs or upgrades the deployment's Helm release; see docs/release.md. */
    releaseChart: (input: ReleaseChartInput): Promise<ReleaseChartResult> => releaseChart(deps, input),
    /** Reads the deployment record (secret parameters included), or null when there is none. */
    readDeploymentRecord: (input: ReadDeploymentRecordInput): Promise<DeploymentRecord | null> =>
      readDeploymentRecord(deps.kubeConfig(), input),
    /** Creates or updates the deployment record; returns it with its new resourceVersion. */
    writeDeploymentRecord: (input: WriteDeploymentRecordInput): Promise<DeploymentRecord> =>
      writeDeploymentRecord(deps.kubeConfig(), input),
  };
}

