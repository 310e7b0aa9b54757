/** One timed `setup` run of the generated driver, and what the benchmark reads from its result. */
import { randomUUID } from 'node:crypto';
import type { SetupInput } from '../contract/lifecycle.js';
import type { RunResult } from '../contract/progress.js';
import type { BenchEnvironment } from './environment.js';
import { benchDriverName } from './driver.js';

/** Timings of one run, in milliseconds. */
export interface RunSample {
  /** Start to end of the pre mode, in workflow time (the run's progress). */
  preModeMs: number;
  /** From asking the server to start the run to receiving its result. */
  wallMs: number;
}

function durationMs(startedAt: string | undefined, endedAt: string | undefined, what: string): number {
  if (!startedAt || !endedAt) throw new Error(`the run's progress has no start or end time for ${what}`);
  return Date.parse(endedAt) - Date.parse(startedAt);
}

/** Runs `setup` of the driver revision with `actions` pre actions on a fresh deployment and times it. */
export async function timeSetup(env: BenchEnvironment, actions: number, attempt: number): Promise<RunSample> {
  const deploymentId = `bench-${actions}-${attempt}-${randomUUID().slice(0, 8)}`;
  const input: SetupInput = {
    deploymentId,
    driver: benchDriverName,
    driverVersion: String(actions),
    namespace: deploymentId,
  };
  const started = performance.now();
  const result: RunResult = await env.temporal.client.workflow.execute('setup', {
    taskQueue: env.taskQueue,
    workflowId: `${deploymentId}-setup`,
    args: [input],
  });
  const wallMs = performance.now() - started;
  const pre = result.progress.modes[0];
  if (pre?.mode !== 'pre' || pre.state !== 'succeeded' || pre.actions.length !== actions) {
    throw new Error(`setup of ${deploymentId} ended without ${actions} succeeded pre actions: ${JSON.stringify(pre)}`);
  }
  return { preModeMs: durationMs(pre.startedAt, pre.endedAt, `mode pre of ${deploymentId}`), wallMs };
}
