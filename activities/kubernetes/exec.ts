/**
 * `executeCommands`: run argv commands, in order, in one ready pod of a component.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import type { CommandResult, ExecuteCommandsInput } from '../../contract/kubernetes.js';
import { runCommand, type CommandRun } from './exec-run.js';
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

function commandFailed(
  input: ExecuteCommandsInput,
  at: { pod: string; container: string; command: string[] },
  run: CommandRun,
  done: CommandResult[],
) {
  const what = `Command ${JSON.stringify(at.command)} in pod "${at.pod}" (container "${at.container}") of component "${input.component.name}"`;
  const why = run.timedOut
    ? `did not finish within ${input.timeoutSeconds}s`
    : run.exitCode === null
      ? `could not run: ${run.statusMessage ?? 'no exit code reported'}`
      : `exited with code ${run.exitCode}`;
  const stderrTail = run.stderr.trim().slice(-2000);
  return ApplicationFailure.create({
    type: FailureType.CommandFailed,
    nonRetryable: true,
    message: `${what} ${why}${stderrTail ? `; stderr: ${stderrTail}` : ''}`,
    details: [
      {
        deploymentId: input.deploymentId,
        namespace: input.namespace,
        component: input.component.name,
        ...at,
        exitCode: run.exitCode,
        stderr: run.stderr,
        stdout: run.stdout.slice(-4096),
        truncated: run.truncated,
        completed: done.map((r) => ({ command: r.command, exitCode: r.exitCode })),
      },
    ],
  });
}

/**
 * Runs each argv command, in order, in the oldest ready pod of the component; a non-zero exit fails
 * non-retryably with CommandFailed. Re-running the activity runs every command again.
 * @example await executeCommands(clients, { deploymentId: 'shop', namespace: 'shop', component: server, commands: [['migrate', 'up']] })
 */
export async function executeCommands(clients: KubeClients, input: ExecuteCommandsInput): Promise<CommandResult[]> {
  checkCommands(input.commands);
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
  for (const command of input.commands) {
    log.info(`Running ${JSON.stringify(command)} in pod ${podName} (container ${container})`);
    const at = { pod: podName, container, command };
    const timeoutMs = input.timeoutSeconds ? input.timeoutSeconds * 1000 : undefined;
    const run = await runCommand({
      kc: clients.kc,
      namespace: input.namespace,
      ...at,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    if (run.exitCode !== 0) throw commandFailed(input, at, run, results);
    const { stdout, stderr, truncated, durationMs } = run;
    results.push({ ...at, exitCode: 0, stdout, stderr, truncated, durationMs });
  }
  return results;
}
