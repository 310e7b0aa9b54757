/**
 * The floor the benchmarks compare Styrmin with: bare Temporal workflows of a run's shape,
 * without its lock, record, plan or progress.
 */
import { executeChild, sleep } from '@temporalio/workflow';

/** Runs `waves` waves of `width` no-op children, one wave after the other, a wave's children side by side. */
export async function floorRun(waves: number, width: number): Promise<void> {
  for (let wave = 0; wave < waves; wave++) {
    await Promise.all(Array.from({ length: width }, () => executeChild(noop)));
  }
}

/** A child that does nothing, like a no-op action. */
export async function noop(): Promise<string> {
  return 'done';
}

/**
 * One mode of `width` children that each wait `waitMs` on a durable timer, like the fan-out
 * benchmark's pre mode; returns the mode's time in workflow time, as a run's progress reports it.
 */
export async function floorFanOut(width: number, waitMs: number): Promise<number> {
  const started = Date.now();
  await Promise.all(Array.from({ length: width }, () => executeChild(waitChild, { args: [waitMs] })));
  return Date.now() - started;
}

/** A child that waits, like a waiting action. */
export async function waitChild(waitMs: number): Promise<void> {
  await sleep(waitMs);
}
