/**
 * The default exec handler: runs the argv as a real local process, no shell, with a timeout. The
 * process sees POD_NAMESPACE and POD_NAME, as a container given them by the downward API would.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { delimiter } from 'node:path';
import type { ExecHandler, ExecResult } from './types.js';

/** The OCI runtime's message for a command that cannot start, as containerd reports it. */
function startErrorMessage(file: string, err: NodeJS.ErrnoException): string {
  const reason =
    err.code === 'ENOENT'
      ? 'executable file not found in $PATH'
      : err.code === 'EACCES'
        ? 'permission denied'
        : err.message;
  return `OCI runtime exec failed: exec failed: unable to start container process: exec: "${file}": ${reason}: unknown`;
}

/** How local processes stand in for a container's. */
export interface ProcessExecOptions {
  /** Folders searched first for the command, as an image's own binaries would be (e.g. a fake `example-app`). */
  path?: string[];
  /** Extra environment of every command. */
  env?: Record<string, string>;
}

/** An exec handler that spawns the command locally; it is killed (exit code 137) after `timeoutMs`. */
export function processExecHandler(timeoutMs: number, options: ProcessExecOptions = {}): ExecHandler {
  const searchPath = [...(options.path ?? []), process.env.PATH ?? ''].filter(Boolean).join(delimiter);
  return (request) =>
    new Promise<ExecResult>((resolve) => {
      const [file = '', ...args] = request.command;
      let settled = false;
      const settle = (result: ExecResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal.removeEventListener('abort', kill);
        resolve(result);
      };
      const env = {
        ...process.env,
        ...options.env,
        PATH: searchPath,
        POD_NAMESPACE: request.namespace,
        POD_NAME: request.pod,
      };
      const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
      const kill = (): void => {
        child.kill('SIGKILL');
      };
      const timer = setTimeout(kill, timeoutMs);
      request.signal.addEventListener('abort', kill);
      child.on('error', (err: NodeJS.ErrnoException) => settle({ startError: startErrorMessage(file, err) }));
      child.stdout.on('data', (chunk: Buffer) => request.stdout.write(chunk));
      child.stderr.on('data', (chunk: Buffer) => request.stderr.write(chunk));
      child.stdin.on('error', () => undefined);
      if (request.stdin) request.stdin.pipe(child.stdin);
      else child.stdin.end();
      child.on('close', (code, signal) => {
        // A process killed by a signal reports 128 + the signal number, as container runtimes do.
        const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 9) : 9);
        settle({ exitCode });
      });
    });
}
