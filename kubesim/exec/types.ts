/** The contract of an exec handler: what runs a command "inside" a simulated container. */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Readable, Writable } from 'node:stream';

/** One exec request, with the streams of its WebSocket channels. */
export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  /** argv; the first element is the executable (no shell is involved unless the command names one). */
  command: string[];
  tty: boolean;
  /** Channel 0, or null when the client did not ask for stdin. Ends when the client closes stdin. */
  stdin: Readable | null;
  /** Channel 1 (discards output when the client did not ask for stdout). */
  stdout: Writable;
  /** Channel 2 (discards output when the client did not ask for stderr). */
  stderr: Writable;
  /** Aborted when the client goes away or the simulator closes. */
  signal: AbortSignal;
  /** The pod as stored. */
  podObject: KubernetesObject;
}

/** How a command ended: with an exit code, or without starting (the runtime's error message). */
export type ExecResult = { exitCode: number } | { startError: string };

/** Runs one exec request; the default runs the argv as a local process. */
export type ExecHandler = (request: ExecRequest) => Promise<ExecResult>;
