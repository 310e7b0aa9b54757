/**
 * `executeCommands`: run argv commands, in order, in one ready pod of a component; with a
 * once-only key, at most once per recorded success in a run (see once.ts).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import type { CommandResult, ExecuteCommandsInput, OnceKey } from '../../contract/kubernetes.js';
import { runCommand, type CommandRun } from './exec-run.js';
import {
  checkOnceKey,
  commandsDigest,
  findOnceEntry,
  onceConfigMapName,
  onceDataKey,
  recordOnceEntry,
  type OnceEntry,
} from './once.js';
import { onceOnlyCommand } from './once-command.js';
import { describePod, podState } from './workload-state.js';
import { retryTransient } from './wait.js';
import { isReadyPod, listPods, requireWorkloads, selectorString, type KubeClients } from './workloads.js';

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message });
}

function checkCommands(commands: unknown): asserts commands is string[][] {
  const ok =
    Array.isArray(commands) &&
    commands.every((c) => Array.isArray(c) && c.length > 0 && c.every((a) => typeof a === 'string'));
  if (!ok)
    throw invalid(
      `commands must be a list of argv lists of strings, e.g. [["migrate", "--up"]]; got ${JSON.stringify(commands)}`,
    );
}

/** The oldest ready pod of the component; a retryable ComponentNotReady when none is ready yet. */
async function pickPod(clients: KubeClients, input: ExecuteCommandsInput): Promise<V1Pod> {
  const { namespace, component } = input;
  const pods = await retryTransient('listing pods', () => listPods(clients, namespace, component));
  const ready = pods.find(isReadyPod);
  if (ready) return ready;
  if (pods.length === 0) await requireWorkloads(clients, input.deploymentId, namespace, component);
  const seen = pods.map((p) => describePod(podState(p)));
  throw ApplicationFailure.create({
    type: FailureType.ComponentNotReady,
    message:
      `No ready pod of component "${component.name}" (selector ${selectorString(component.selector)}) in namespace ` +
      `"${namespace}" to run commands in; pods seen: ${seen.length ? seen.join(', ') : 'none'}`,
    details: [
      {
        deploymentId: input.deploymentId,
        namespace,
        component: component.name,
        selector: component.selector,
        pods: pods.map(podState),
      },
    ],
  });
}

/** The last `count` non-empty lines of an output, at most `max` characters. */
function lastLines(text: string, count = 3, max = 500): string {
  const lines = text
    .trimEnd()
    .split('\n')
    .filter((line) => line.trim() !== '');
  const tail = lines.slice(-count).join(' | ');
  return tail.length > max ? `…${tail.slice(-max)}` : tail;
}

/** An argv as a person would type it: words joined by spaces, quoted where needed, shortened. */
export function commandLine(command: string[], max = 200): string {
  const line = command
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`))
    .join(' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * The failure of a command, cause first: how it ended, where, the last lines of stderr and stdout
 * (how far it got), then the command itself. Details keep the bounded output tails.
 */
function commandFailed(
  input: ExecuteCommandsInput,
  at: { pod: string; container: string; command: string[] },
  run: CommandRun,
  done: CommandResult[],
) {
  const how = run.timedOut
    ? `did not finish within ${input.timeoutSeconds}s`
    : run.exitCode === null
      ? `could not run: ${run.statusMessage ?? 'no exit code reported'}`
      : `exit code ${run.exitCode}`;
  const where = `in pod "${at.pod}" (container "${at.container}", component "${input.component.name}")`;
  const output = [
    run.stderr.trim() ? `stderr: ${lastLines(run.stderr)}` : '',
    run.stdout.trim() ? `stdout: ${lastLines(run.stdout)}` : '',
  ].filter(Boolean);
  return ApplicationFailure.create({
    type: FailureType.CommandFailed,
    nonRetryable: true,
    message: [`${how} ${where}`, ...output, `command: ${commandLine(at.command)}`].join('; '),
    details: [
      {
        deploymentId: input.deploymentId,
        namespace: input.namespace,
        component: input.component.name,
        ...at,
        exitCode: run.exitCode,
        stderr: run.stderr.slice(-4096),
        stdout: run.stdout.slice(-4096),
        truncated: run.truncated,
        completed: done.map((r) => ({ command: r.command, exitCode: r.exitCode })),
      },
    ],
  });
}

/**
 * Runs the commands one after the other in one pod; the first non-zero exit fails with
 * CommandFailed. `argvOf` says how each command is run (once-only commands run under a shell).
 */
async function runCommands(
  clients: KubeClients,
  input: ExecuteCommandsInput,
  argvOf: (command: string[], index: number) => string[] = (command) => command,
): Promise<CommandResult[]> {
  const pod = await pickPod(clients, input);
  const podName = pod.metadata?.name ?? '';
  const containers = pod.spec?.containers.map((c) => c.name) ?? [];
  const container = input.container ?? containers[0] ?? '';
  if (!containers.includes(container)) {
    throw invalid(
      `Container "${container}" is not in pod "${podName}" of component "${input.component.name}" (containers: ${containers.join(', ')})`,
    );
  }
  const results: CommandResult[] = [];
  for (const [index, command] of input.commands.entries()) {
    log.info(`Running ${JSON.stringify(command)} in pod ${podName} (container ${container})`);
    const at = { pod: podName, container, command };
    const timeoutMs = input.timeoutSeconds ? input.timeoutSeconds * 1000 : undefined;
    const run = await runCommand({
      kc: clients.kc,
      namespace: input.namespace,
      ...at,
      command: argvOf(command, index),
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    if (run.exitCode !== 0) throw commandFailed(input, at, run, results);
    const { stdout, stderr, truncated, durationMs } = run;
    results.push({ ...at, exitCode: 0, stdout, stderr, truncated, durationMs });
  }
  return results;
}

/** The recorded results as this call's results, each flagged as replayed. */
function replay(input: ExecuteCommandsInput & { once: OnceKey }, entry: OnceEntry): CommandResult[] {
  if (entry.commands !== commandsDigest(input.commands)) {
    // Two calls of one run sharing a key for different commands: replaying would skip the second list unseen.
    throw invalid(
      `once key "${input.once.key}" was recorded in this run (${input.once.workflowId}, run ${input.once.runId}) for ` +
        `other commands than ${JSON.stringify(input.commands).slice(0, 300)}; give each command list its own key`,
    );
  }
  log.info(
    `Not running ${JSON.stringify(input.commands).slice(0, 300)}: once key "${input.once.key}" recorded their success ` +
      `at ${entry.recordedAt} in this run; returning the recorded results`,
  );
  return entry.results.map((r, i) => ({ ...r, command: input.commands[i] ?? [], replayed: true }));
}

/**
 * Records the key after the commands succeeded. A failure to record is logged, not thrown: the
 * commands did run, and failing now would make Temporal retry, running them again for sure.
 */
async function recordSuccess(
  clients: KubeClients,
  input: ExecuteCommandsInput & { once: OnceKey },
  results: CommandResult[],
) {
  try {
    await recordOnceEntry(clients.kc, input, input.commands, results);
  } catch (err) {
    if (err instanceof CancelledFailure) throw err;
    log.warn(
      `Commands succeeded, but once key "${input.once.key}" could not be recorded in ConfigMap ` +
        `"${onceConfigMapName(input.deploymentId)}" (namespace "${input.namespace}"): ${(err as Error).message}. ` +
        "Should this attempt's completion be lost, a retry will run them again.",
    );
  }
}

/**
 * Runs each argv command, in order, in the oldest ready pod of the component; a non-zero exit fails
 * non-retryably with CommandFailed. Without `once`, re-running the activity runs every command
 * again. With `once`, a success already recorded under the key in the same run is returned
 * (flagged `replayed`) without running anything, and a new success is recorded before returning.
 * Keyed commands run under a shell that keeps their outcome in the pod (once-command.ts): a retry
 * after a worker died mid-command, or after the commands ended but before the record was written,
 * waits for the command or takes its outcome instead of running it again. Only a pod that went
 * away in between (its /tmp with it) runs the commands again.
 * @example await executeCommands(clients, { deploymentId: 'shop', namespace: 'shop', component: server, commands: [['migrate', 'up']] })
 */
export async function executeCommands(clients: KubeClients, input: ExecuteCommandsInput): Promise<CommandResult[]> {
  checkCommands(input.commands);
  if (input.once === undefined) return runCommands(clients, input);
  checkOnceKey(input.once);
  const keyed = input as ExecuteCommandsInput & { once: OnceKey };
  const recorded = await findOnceEntry(clients.kc, keyed);
  if (recorded) return replay(keyed, recorded);
  const runKey = onceDataKey(keyed.once);
  const results = await runCommands(clients, keyed, (command, index) => onceOnlyCommand(runKey, index, command));
  await recordSuccess(clients, keyed, results);
  return results;
}
