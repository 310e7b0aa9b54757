/**
 * The worker loads its drivers in a thread of its own. Checking that every action a spec names is
 * exported takes the TypeScript compiler, some 30 MiB a long-running worker has no further use
 * for; the thread ends once the drivers are loaded, and that memory goes with it.
 */
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { acceptedDrivers, type DriverCheckReport, type LoadedDriver } from '../driver-spec/load.js';

/** The thread's module, compiled like this one (the worker runs from dist/). */
const threadModule = new URL(`./driver-loading-thread${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** Like `loadDrivers`, in a thread: throws `DriverSpecError` listing every problem when a spec is invalid. */
export async function loadDriversInThread(dirs: string[]): Promise<LoadedDriver[]> {
  const thread = new Worker(threadModule, { workerData: dirs });
  try {
    const [report] = (await once(thread, 'message')) as [DriverCheckReport];
    return acceptedDrivers(report);
  } finally {
    await thread.terminate();
  }
}
