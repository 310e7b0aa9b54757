/** A `setup` that prepares the run before taking the lock: recorded setups must not replay on it. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../contract/activities.js';
import type { SetupInput } from '../../contract/lifecycle.js';

const { prepareRun } = proxyActivities<Activities>({ startToCloseTimeout: '30s' });

export async function setup(input: SetupInput): Promise<void> {
  await prepareRun({ hook: 'setup', input, workflowId: 'changed', record: null });
}
