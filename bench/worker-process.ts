/**
 * A Styrmin worker as operators run it: `node dist/worker.js` in a process of its own (and its own
 * process group), so the benchmarks can time its start and read its peak memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

const workerScript = fileURLToPath(new URL('../dist/worker.js', import.meta.url));

/** What the worker process is given, as environment variables. */
export interface WorkerProcessOptions {
  address: string;
  taskQueue: string;
  driverDirs: string[];
  kubeconfigPath?: string;
  /** STYRMIN_BUNDLE_CACHE; the worker's default when absent. */
  bundleCacheDir?: string;
}

/** A running worker process. */
export interface WorkerProcess {
  pid: number;
  /** From spawning the process to the server seeing its first workflow task poll, in milliseconds. */
  startMs: number;
  /** The process's peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** What the worker printed, for a failure message. */
  output(): string;
  /** Runs `work`, failing as soon as the worker exits on its own (its runs would never end). */
  whileRunning<T>(work: Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** Starts the compiled worker and waits until Temporal sees it polling the task queue. */
export async function startWorkerProcess(client: Client, options: WorkerProcessOptions): Promise<WorkerProcess> {
  if (!existsSync(workerScript)) throw new Error(`${workerScript} is missing: run npm run build first`);
  let output = '';
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...(process.env.PROBE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), workerScript],
    {
      detached: true, // its own process group: stopping it stops everything it started
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: options.address,
        TEMPORAL_NAMESPACE: 'default',
        STYRMIN_TASK_QUEUE: options.taskQueue,
        STYRMIN_DRIVERS: options.driverDirs.join(','),
        ...(options.kubeconfigPath ? { KUBECONFIG: options.kubeconfigPath } : {}),
        ...(options.bundleCacheDir ? { STYRMIN_BUNDLE_CACHE: options.bundleCacheDir } : {}),
      },
    },
  );
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let stopping = false;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`the worker exited (${signal ?? `code ${code}`}):\n${output.slice(-4000)}`));
    }),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForPoller(client, options.taskQueue), exited]);
  } catch (err) {
    stopGroup(child);
    throw err;
  }
  const startMs = performance.now() - started;
  return {
    pid: child.pid!,
    startMs,
    peakRssMiB: () => peakRssMiB(child.pid!),
    output: () => output,
    whileRunning: (work) => Promise.race([work, exited]),
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      stopGroup(child);
      await gone;
    },
  };
}

function stopGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** Polls the server's view of the task queue until a workflow task poller appears (20 s at most). */
async function waitForPoller(client: Client, taskQueue: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    if (pollers.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no worker polled task queue ${taskQueue} within 20 s`);
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kiB)) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return kiB / 1024;
}
