/**
 * The floor the overhead benchmark compares Styrmin with: a bare Temporal workflow that runs waves
 * of no-op child workflows, one wave after the other, the children of a wave side by side — the
 * shape of a Styrmin run without its lock, record, plan or progress.
 */
import { executeChild } from '@temporalio/workflow';

/** Runs `waves` waves of `width` no-op children. */
export async function floorRun(waves: number, width: number): Promise<void> {
  for (let wave = 0; wave < waves; wave++) {
    await Promise.all(Array.from({ length: width }, () => executeChild(noop)));
  }
}

/** A child that does nothing, like a no-op action. */
export async function noop(): Promise<string> {
  return 'done';
}
