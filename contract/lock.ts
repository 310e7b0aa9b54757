/** The deployment lock: one lifecycle run per deployment at a time. */
import type { Hook } from './lifecycle.js';

/** Who holds a deployment's lock; kept in the lock's memo so a refused run can name it. */
export interface LockHolder {
  workflowId: string;
  runId: string;
  hook: Hook;
}

/** Workflow id of a deployment's lock. */
export function lockWorkflowId(deploymentId: string): string {
  return `${deploymentId}/lock`;
}
