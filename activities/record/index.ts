/** The deployment record activities, bound to the worker's cluster connection. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { RecordActivities } from '../../contract/activities.js';
import { readDeploymentRecord, writeDeploymentRecord } from './store.js';

/** Builds `readDeploymentRecord` and `writeDeploymentRecord`. */
export function createRecordActivities(deps: { kubeConfig: () => KubeConfig }): RecordActivities {
  return {
    readDeploymentRecord: (input) => readDeploymentRecord(deps.kubeConfig(), input),
    writeDeploymentRecord: (input) => writeDeploymentRecord(deps.kubeConfig(), input),
  };
}
