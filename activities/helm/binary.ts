/**
 * Running the helm binary: finding it, passing the cluster connection, stopping it on
 * cancellation or when its worker dies, and keeping its output for the log and for failures.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';

// From the sources this module is activities/helm/binary.ts; compiled, it is one level deeper, in dist/.
const repoRoot = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../../' : '../../', import.meta.url));

/** Where helm is looked for, in order: `HELM_BIN`, `<repo>/.styrmin/bin/helm`, then `PATH`. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.HELM_BIN, path.join(repoRoot, '.styrmin', 'bin', 'helm')];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) candidates.push(path.join(dir, 'helm'));
  for (const file of candidates) {
    if (!file) continue;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      if (file === env.HELM_BIN) throw helmMissing(`HELM_BIN=${file} is not an executable file`);
    }
  }
  throw helmMissing('no helm in HELM_BIN, .styrmin/bin or PATH');
}

function helmMissing(why: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.ReleaseFailed,
    nonRetryable: true,
    message: `helm not found (${why}); run scripts/install-helm.sh or set HELM_BIN`,
  });
}

/** A private directory holding the kubeconfig (and values) files of one helm step; `dispose()` removes it. */
export interface HelmWorkdir {
  dir: string;
  kubeconfigPath: string;
  writeFile(name: string, text: string): string;
  dispose(): void;
}

/** Writes the kubeconfig helm uses (the release proxy's, api-proxy.ts) to a 0600 file. */
export function createHelmWorkdir(kubeconfig: string): HelmWorkdir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-helm-'));
  const writeFile = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  return {
    dir,
    kubeconfigPath: writeFile('kubeconfig.json', kubeconfig),
    writeFile,
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** What one helm invocation produced. */
export interface HelmResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How one helm invocation is watched. */
export interface HelmRunOptions {
  kubeconfigPath: string;
  /** Aborting kills helm: SIGTERM first so it can mark the release failed, SIGKILL after `killGraceMs`. */
  signal?: AbortSignal;
  /** @default 10000 */
  killGraceMs?: number;
  /** Kills helm if it runs longer than this (a backstop behind helm's own --timeout). */
  deadlineMs?: number;
  /** Called once helm exits, with its whole output (never called for JSON queries that may carry values). */
  onOutput?: (result: HelmResult) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs helm under a shell that stops it (SIGTERM, which helm answers by marking the release failed)
 * when the worker's end of its stdin closes, which happens however the worker ends, SIGKILL
 * included: a helm that outlived its worker would go on changing a release that the activity's
 * next attempt is recovering (release.ts). Helm writes to files, not pipes: a pipe whose reader
 * died would kill helm with SIGPIPE before it could mark the release.
 */
const guardScript = [
  'helm=$1; out=$2; err=$3; shift 3',
  'exec 3<&0', // a background job's stdin is /dev/null unless redirected explicitly
  '"$helm" "$@" </dev/null >"$out" 2>"$err" 3<&- & pid=$!',
  '{ cat <&3 >/dev/null; kill -TERM "$pid"; } >/dev/null 2>&1 &',
  'exec 3<&-',
  'trap \'kill -TERM "$pid" 2>/dev/null\' TERM',
  'wait "$pid"; status=$?',
  // `wait` returns early when the trap ran; wait again for helm to finish marking the release.
  'while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done',
  'exit "$status"',
].join('\n');

/** Runs `helm <args> --kubeconfig <file>` and resolves with its exit status and output; never rejects on a non-zero exit. */
export function runHelm(args: string[], opts: HelmRunOptions): Promise<HelmResult> {
  const fullArgs = [...args, '--kubeconfig', opts.kubeconfigPath];
  const env = opts.env ?? process.env;
  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-helm-output-'));
  const [outFile, errFile] = [path.join(outputDir, 'stdout'), path.join(outputDir, 'stderr')];
  // Its own process group, so a SIGKILL after the grace period reaches helm as well as the shell.
  const child = spawn('/bin/sh', ['-c', guardScript, 'helm-guard', findHelm(env), outFile, errFile, ...fullArgs], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
    detached: true,
  });
  child.stdin.on('error', () => undefined); // the guard may be gone already
  let note = '';
  const timers: NodeJS.Timeout[] = [];
  const kill = (why: string): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    note += `\n[styrmin] stopping helm: ${why}\n`;
    child.kill('SIGTERM');
    timers.push(
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, opts.killGraceMs ?? 10_000),
    );
  };
  const onAbort = (): void => kill('the step was cancelled');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort);
  if (opts.deadlineMs)
    timers.push(setTimeout(() => kill(`still running after ${opts.deadlineMs} ms`), opts.deadlineMs));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      timers.forEach((t) => clearTimeout(t));
      child.stdin.end(); // lets the guard's watcher end
      opts.signal?.removeEventListener('abort', onAbort);
      const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
      const result = { args: fullArgs, code, signal, stdout: read(outFile), stderr: read(errFile) + note };
      fs.rmSync(outputDir, { recursive: true, force: true });
      opts.onOutput?.(result);
      resolve(result);
    });
  });
}

/** The last `max` characters of helm's output, for failure messages. */
export function outputTail(result: HelmResult, max = 1500): string {
  const text = [result.stderr.trim(), result.stdout.trim()].filter(Boolean).join('\n');
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/**
 * Helm's wording for failures another attempt may not meet: the API server or the chart source
 * was busy, unreachable or cut the connection. Helm turns Kubernetes API errors into these
 * phrases (client-go's `StatusError` texts), so the exit code alone says nothing.
 */
const transientHelmErrors: RegExp[] = [
  /another operation \(install\/upgrade\/rollback\) is in progress/i,
  // API server errors: 500 "an error on the server (...) has prevented the request from succeeding",
  // 500 "Internal error occurred", 503 "the server is currently unable to handle the request",
  // 429 "the server has received too many requests", 504 "the server was unable to return a response in the time allotted".
  /an error on the server/i,
  /Internal error occurred/i,
  /server is currently unable/i,
  /too many requests/i,
  /unable to return a response in the time allotted/i,
  /the object has been modified; please apply your changes/i,
  /etcdserver/i,
  // Discovery and connection failures.
  /couldn't get resource list/i,
  /Kubernetes cluster unreachable/i,
  /API server unreachable from the release proxy/i,
  /connection refused|connection reset|broken pipe|i\/o timeout|TLS handshake timeout|no such host|http2: client connection lost|GOAWAY/i,
  /unexpected EOF|EOF$/im,
];

/** True when helm failed for a reason another attempt may not meet (API server or chart source busy or unreachable). */
export function isTransientHelmFailure(result: HelmResult): boolean {
  return transientHelmErrors.some((pattern) => pattern.test(result.stderr));
}
