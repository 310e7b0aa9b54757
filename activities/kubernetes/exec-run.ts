/**
 * Runs one argv command in a pod with client-node's `Exec` and reads its exit code from the
 * status channel. Output goes to the activity log line by line and into bounded tails.
 */
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import { httpStatusOf, kubeFailure } from './api-errors.js';
import { outputSink } from './exec-output.js';
import { execTransport } from './exec-socket.js';

/** Where and what to run. */
export interface CommandTarget {
  kc: KubeConfig;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  timeoutMs?: number;
}

/** How a command ended. `exitCode` is null when it did not start or ran out of time. */
export interface CommandRun {
  exitCode: number | null;
  /** The status channel's message when the command failed without an exit code (e.g. no such executable). */
  statusMessage?: string;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
}

/** Exit code from the status channel: Success is 0, NonZeroExitCode carries it as a cause. */
function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message !== undefined && /^\d+$/.test(cause.message) ? Number(cause.message) : null;
}

/** Runs the command to its end, or until the timeout or a cancellation; a broken connection is a retryable failure. */
export async function runCommand(target: CommandTarget): Promise<CommandRun> {
  const ctx = Context.current();
  const { namespace, pod, container, command } = target;
  const started = Date.now();
  const logLine = (stream: string) => (line: string) => log.info(line, { pod, container, stream });
  const out = outputSink(logLine('stdout'));
  const err = outputSink(logLine('stderr'));
  let status: V1Status | undefined;
  let statusArrived: () => void = () => undefined;
  const gotStatus = new Promise<'status'>((resolve) => (statusArrived = () => resolve('status')));
  let socket: Awaited<ReturnType<Exec['exec']>>;
  try {
    const opening = new Exec(target.kc, execTransport(target.kc)).exec(
      namespace,
      pod,
      container,
      command,
      out.stream,
      err.stream,
      null,
      false,
      (s) => {
        status = s;
        statusArrived();
      },
    );
    // A cancellation while the upgrade hangs must not wait for it; a socket that opens after that is closed.
    ctx.cancelled.catch(() => opening.then((ws) => ws.terminate()).catch(() => undefined));
    socket = await Promise.race([opening, ctx.cancelled]);
  } catch (e) {
    if (ctx.cancellationSignal.aborted) throw e;
    // The exec WebSocket is an HTTP GET: the API server checks `get` on pods/exec first (and `create` since 1.30).
    if (httpStatusOf(e) !== 404) throw kubeFailure(e, { verb: 'get', resource: 'pods/exec', namespace, name: pod });
    throw ApplicationFailure.create({
      type: FailureType.ComponentNotReady,
      message: `Pod "${pod}" in namespace "${namespace}" went away before the command ${JSON.stringify(command)} started`,
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const heartbeats = setInterval(
    () => ctx.heartbeat({ pod, command, outputBytes: out.tail.total + err.tail.total }),
    1000,
  );
  try {
    // Output frames come before the status frame, so on status every byte is in the sinks already.
    const ended = await Promise.race([
      gotStatus,
      new Promise<'closed'>((resolve) => {
        socket.on('close', () => resolve('closed'));
        socket.on('error', (e) => log.warn(`Exec connection to pod ${pod} failed: ${e.message}`));
      }),
      new Promise<'timeout'>((resolve) => {
        if (target.timeoutMs) timer = setTimeout(() => resolve('timeout'), target.timeoutMs);
      }),
      ctx.cancelled,
    ]);
    if (ended === 'closed' && !status) {
      throw ApplicationFailure.create({
        type: FailureType.KubernetesUnavailable,
        message: `The connection to pod "${pod}" closed before ${JSON.stringify(command)} reported an exit status; it may have run in part`,
        details: [{ namespace, pod, container, command }],
      });
    }
    out.lines.flush();
    err.lines.flush();
    const finished = status as V1Status | undefined;
    return {
      exitCode: finished ? exitCodeOf(finished) : null,
      ...(finished && exitCodeOf(finished) === null && finished.message ? { statusMessage: finished.message } : {}),
      timedOut: ended === 'timeout',
      stdout: out.tail.text(),
      stderr: err.tail.text(),
      truncated: out.tail.truncated || err.tail.truncated,
      durationMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    clearInterval(heartbeats);
    // On timeout or cancellation this only drops the connection: Kubernetes does not kill the process in the pod.
    socket.terminate();
  }
}
