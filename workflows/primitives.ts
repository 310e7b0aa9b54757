/**
 * The built-in primitives driver actions call. Each runs as a Temporal activity with a default
 * timeout and retry policy (exponential backoff) that a call can override. Each is idempotent, so
 * a retry or a resumed run has the effect of one call, apart from `executeCommands` without a
 * `once` key, whose commands run at least once.
 *
 * @example
 * import { stopComponents, executeCommands, startComponents } from 'styrmin/actions';
 * export async function upgrade({ deploymentId }: ActionInput) {
 *   await stopComponents(deploymentId, ['task-worker']);
 *   await executeCommands(deploymentId, { component: 'server', commands: [['app', 'migrate']] });
 *   await startComponents(deploymentId, ['task-worker']);
 * }
 */
import type { Duration } from '@temporalio/common';
import { ApplicationFailure, sleep, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { ComponentStatus } from '../contract/kubernetes.js';
import { FailureType } from '../contract/failures.js';
import { quickOptions, releaseOptions, summarized, waitingOptions } from './activity-options.js';
import { begin, tellRunAfter } from './action-doing.js';
import { currentAction } from './current-action.js';
import type { ReleaseSettings, ComponentRef } from '../contract/run-context.js';
import type { ParameterValue } from '../contract/lifecycle.js';

export type { ActionInput } from '../contract/run-context.js';
export { log } from '@temporalio/workflow';

/** Overrides of one primitive call's activity options (timeouts, retry policy). */
export type CallOptions = Partial<ActivityOptions>;

/**
 * Calls one primitive's activity, with `summary` as its summary in the history; while it runs, the
 * action's Current Details say so, and its run's too once it has lasted a while (its own page in
 * Temporal Web shows the attempts and last error).
 */
async function call<T>(
  profile: ActivityOptions,
  summary: string,
  options: CallOptions | undefined,
  run: (activities: ReturnType<typeof summarized>) => Promise<T>,
): Promise<T> {
  const what = summary.slice(0, 200);
  const end = begin(what);
  try {
    return await run(summarized(profile, what, options));
  } finally {
    end();
  }
}

/** Resolves component names against the running action's driver, refusing unknown ones. */
function resolve(deploymentId: string, names: string[]): { namespace: string; components: ComponentRef[] } {
  const { context } = currentAction();
  if (deploymentId !== context.deployment.id) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      nonRetryable: true,
      message: `this action runs for deployment "${context.deployment.id}", not "${deploymentId}"`,
    });
  }
  const components = names.map((name) => {
    const component = context.components[name];
    if (component) return component;
    throw ApplicationFailure.create({
      type: FailureType.ComponentNotFound,
      nonRetryable: true,
      message:
        `driver ${context.driver.name}@${context.driver.version} has no component "${name}" ` +
        `(it has: ${Object.keys(context.components).join(', ') || 'none'})`,
    });
  });
  return { namespace: context.deployment.namespace, components };
}

/** Scales the components' workloads to zero (remembering their replicas) and waits until no pod is left. */
export async function stopComponents(deploymentId: string, components: string[], options?: CallOptions) {
  const input = { deploymentId, ...resolve(deploymentId, components) };
  return call(waitingOptions, `stop ${components.join(', ')}`, options, (a) => a.stopComponents(input));
}

/** Restores the replicas a stop remembered and waits until every workload is ready. */
export async function startComponents(deploymentId: string, components: string[], options?: CallOptions) {
  const input = { deploymentId, ...resolve(deploymentId, components) };
  return call(waitingOptions, `start ${components.join(', ')}`, options, (a) => a.startComponents(input));
}

/**
 * The value of a secret parameter of the action's driver (`secret: true`), read from the
 * deployment's Secret: the action's input shows it masked. The value is in the action's history
 * as the call's result, so it is readable there in clear unless payloads are encrypted (a codec
 * key is configured); pass it only to what needs it, and never log it.
 * @example const password = await readSecretParameter('admin_password');
 */
export async function readSecretParameter(name: string, options?: CallOptions): Promise<ParameterValue> {
  const { context } = currentAction();
  const input = {
    deploymentId: context.deployment.id,
    namespace: context.deployment.namespace,
    driver: context.driver,
    name,
  };
  return call(quickOptions, `read secret parameter ${name}`, options, (a) => a.readSecretParameter(input));
}

/** What to run in a pod of a component; each command is an argv array, never a shell string. */
export interface ExecuteCommandsRequest {
  component: string;
  container?: string;
  commands: string[][];
  timeoutSeconds?: number;
  /**
   * Once-only key, e.g. `migrate-to-${versions.target}`: once the commands succeeded under this key
   * in this run, a retry, a resumed run or another call with the key returns the recorded results
   * (`replayed: true`) instead of running them again. A later run runs them again. At most once per
   * recorded success: a worker that dies after the commands ended but before the success was
   * recorded leaves them to run again.
   */
  once?: string;
}

/**
 * The lifecycle run (setup or upgrade execution) a once-only key belongs to: the action's parent.
 * An action started on its own (tests) is its own run.
 */
function onceScope(key: string) {
  const { parent, workflowId, runId } = workflowInfo();
  return { key, workflowId: parent?.workflowId ?? workflowId, runId: parent?.runId ?? runId };
}

/** Runs commands in order in a ready pod of the component; a non-zero exit fails without retry. */
export async function executeCommands(deploymentId: string, request: ExecuteCommandsRequest, options?: CallOptions) {
  const { namespace, components } = resolve(deploymentId, [request.component]);
  const once = request.once === undefined ? '' : ` [once ${request.once}]`;
  const summary = `exec in ${request.component}${once}: ${request.commands.map((c) => c.join(' ')).join('; ')}`;
  return call(waitingOptions, summary, options, (a) =>
    a.executeCommands({
      deploymentId,
      namespace,
      component: components[0]!,
      container: request.container,
      commands: request.commands,
      timeoutSeconds: request.timeoutSeconds,
      // Only a keyed call carries a scope, so unkeyed calls schedule the same input as before.
      ...(request.once === undefined ? {} : { once: onceScope(request.once) }),
    }),
  );
}

/** Waits until the components are all ready or all stopped. */
export async function waitForComponents(
  deploymentId: string,
  components: string[],
  wait: { state: 'ready' | 'stopped'; timeoutSeconds?: number },
  options?: CallOptions,
) {
  const input = {
    deploymentId,
    ...resolve(deploymentId, components),
    state: wait.state,
    timeoutSeconds: wait.timeoutSeconds ?? 300,
  };
  return call(waitingOptions, `wait until ${components.join(', ')} ${wait.state}`, options, (a) =>
    a.waitForComponents(input),
  );
}

/** Desired and ready replicas of each component, and its pods with phase and reason. */
export async function getComponentStatus(
  deploymentId: string,
  components: string[],
  options?: CallOptions,
): Promise<ComponentStatus[]> {
  const input = { deploymentId, ...resolve(deploymentId, components) };
  return call(quickOptions, `status of ${components.join(', ')}`, options, (a) => a.getComponentStatus(input));
}

/**
 * The Helm release step: `helm upgrade --install` of the driver's chart at the run's target
 * application version. Core actions call it where their order needs it; it runs with the driver's
 * `helm.timeout` and `helm.on_failure` unless `settings` says otherwise.
 */
export async function upgradeDeploymentVersion(
  deploymentId: string,
  settings?: ReleaseSettings,
  options?: CallOptions,
) {
  resolve(deploymentId, []);
  // Runs recorded before release settings travelled with the action have none: the step's defaults apply.
  const { hook, context, release } = currentAction();
  const summary = `helm release ${context.instance.release} at ${context.app.version}`;
  return call(releaseOptions, summary, options, (a) =>
    a.releaseChart({ deploymentId, hook, context, ...release, ...settings }),
  );
}

/** Checks an HTTP endpoint answers with the expected status; 5xx and network errors are retried. */
export async function checkHttp(
  url: string,
  expect?: { status?: number; bodyIncludes?: string; timeoutSeconds?: number },
  options?: CallOptions,
) {
  return call(quickOptions, `GET ${url}`, options, (a) => a.checkHttp({ url, ...expect }));
}

/** A durable wait: a Temporal timer that survives worker restarts and shows in Temporal Web. */
export async function waitFor(duration: Duration, reason: string): Promise<void> {
  const ms = msToNumber(duration);
  const what = `wait until ${new Date(Date.now() + ms).toISOString()}: ${reason}`.slice(0, 200);
  // A wait known to be long is shown by the run at once.
  const end = begin(what, { tellRunAtOnce: ms >= msToNumber(tellRunAfter) });
  try {
    await sleep(duration, { summary: reason });
  } finally {
    end();
  }
}
