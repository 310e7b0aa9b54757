/**
 * The built-in primitives driver actions call. Each runs as a Temporal activity with a default
 * timeout and retry policy (exponential backoff) that a call can override. Each is idempotent, so
 * a retry or a resumed run has the effect of one call, apart from `executeCommands` without a
 * `once` key, whose commands run at least once.
 *
 * A primitive that fails raises an `ActivityFailure` whose `cause` is an `ApplicationFailure` of one
 * of the types listed for it; the retried ones (KubernetesUnavailable, ComponentNotReady) reach the
 * action only once the retry policy gives up. Unknown component names and a deployment id that is
 * not the action's fail at once, before any activity is scheduled.
 *
 * @example
 * import { stopComponents, executeCommands, startComponents } from 'styrmin/actions';
 * export async function upgrade({ deploymentId }: ActionInput) {
 *   await stopComponents(deploymentId, ['task-worker']);
 *   await executeCommands(deploymentId, { component: 'server', commands: [['app', 'migrate']] });
 *   await startComponents(deploymentId, ['task-worker']);
 * }
 */
// The comment of each exported primitive states, in tags that docs/driver-reference.md is generated
// from (`npx tsx scripts/driver-reference.ts`; a test fails when that file is out of date):
//   @idempotent yes — why a second call has the effect of one    (or: no — what a second call does)
//   @throws FailureType.<Type> — when the primitive fails with it    (one tag per type; `none — why` if none)
// The failure types are those of contract/failures.ts; the generator refuses unknown ones.
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

/**
 * Scales the components' workloads to zero (remembering their replicas) and waits until no pod is left.
 * @idempotent yes — it remembers the replicas only when none are remembered yet and then scales to 0, so a
 * second stop keeps the first count and finds nothing left to stop.
 * @throws FailureType.InvalidInput — `deploymentId` is not the action's deployment, or a component's selector is empty.
 * @throws FailureType.ComponentNotFound — a name is not a component of the driver, or its selector matches no workload.
 * @throws FailureType.WaitTimedOut — pods of the components are still there after 300 s.
 * @throws FailureType.KubernetesRequestRejected — the API refused a request (401/403) or rejected it as invalid.
 * @throws FailureType.KubernetesUnavailable — the API stayed unreachable or answered 409/429/5xx through every retry.
 * @throws FailureType.KubeConfigMissing — the worker has no Kubernetes connection.
 */
export async function stopComponents(deploymentId: string, components: string[], options?: CallOptions) {
  const input = { deploymentId, ...resolve(deploymentId, components) };
  return call(waitingOptions, `stop ${components.join(', ')}`, options, (a) => a.stopComponents(input));
}

/**
 * Restores the replicas a stop remembered and waits until every workload is ready.
 * @idempotent yes — it sets the remembered count and forgets it only once every workload is ready; a
 * workload with no remembered count is left as it is, so a second start changes nothing.
 * @throws FailureType.InvalidInput — `deploymentId` is not the action's deployment, or a component's selector is empty.
 * @throws FailureType.ComponentNotFound — a name is not a component of the driver, or its selector matches no workload.
 * @throws FailureType.WaitTimedOut — not every replica is ready after 300 s.
 * @throws FailureType.KubernetesRequestRejected — the API refused a request (401/403) or rejected it as invalid.
 * @throws FailureType.KubernetesUnavailable — the API stayed unreachable or answered 409/429/5xx through every retry.
 * @throws FailureType.KubeConfigMissing — the worker has no Kubernetes connection.
 */
export async function startComponents(deploymentId: string, components: string[], options?: CallOptions) {
  const input = { deploymentId, ...resolve(deploymentId, components) };
  return call(waitingOptions, `start ${components.join(', ')}`, options, (a) => a.startComponents(input));
}

/**
 * The value of a secret parameter of the action's driver (`secret: true`), read from the
 * deployment's Secret: the action's input shows it masked. The value is in the action's history
 * as the call's result, so it is readable there in clear unless payloads are encrypted (a codec
 * key is configured); pass it only to what needs it, and never log it.
 * @idempotent yes — a read of the deployment's Secret.
 * @throws FailureType.InvalidInput — `name` is not a secret parameter of the driver.
 * @throws FailureType.RecordConflict — the deployment's Secret holds no value for it and the parameter has no default.
 * @throws FailureType.KubernetesRequestRejected — the API refused to read the Secret (401/403).
 * @throws FailureType.KubernetesUnavailable — the API stayed unreachable or answered 429/5xx through every retry.
 * @throws FailureType.KubeConfigMissing — the worker has no Kubernetes connection.
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
  /** The component whose oldest ready pod runs the commands. */
  component: string;
  /** Container of the pod to run them in. @default the pod's first container */
  container?: string;
  /** Commands as argv arrays, run one after the other; the first that fails stops the list. */
  commands: string[][];
  /** Seconds each command may run. @default no limit beyond the activity's own timeouts */
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

/**
 * Runs commands in order in a ready pod of the component; a non-zero exit fails without retry.
 * @idempotent no — without `once`, the commands run at least once: a retry after the worker died mid-call runs them
 * again. With a `once` key they run once per run: a success recorded under the key is returned (`replayed: true`).
 * @throws FailureType.InvalidInput — `deploymentId` is not the action's, `commands` is not a list of argv lists,
 * `container` is not in the pod, or the `once` key is empty or too long.
 * @throws FailureType.ComponentNotFound — `component` is not a component of the driver, or its selector matches no workload.
 * @throws FailureType.ComponentNotReady — no pod of the component is ready through every retry.
 * @throws FailureType.CommandFailed — a command exited non-zero, ran out of time or could not run.
 * @throws FailureType.RecordConflict — the once-only record holds an unreadable entry for the key.
 * @throws FailureType.KubernetesRequestRejected — the API refused a request (401/403) or rejected it as invalid.
 * @throws FailureType.KubernetesUnavailable — the API stayed unreachable or answered 409/429/5xx through every retry.
 * @throws FailureType.KubeConfigMissing — the worker has no Kubernetes connection.
 */
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

/**
 * Waits until the components are all ready or all stopped.
 * @idempotent yes — it only reads the components' state.
 * @throws FailureType.InvalidInput — `deploymentId` is not the action's deployment, or a component's selector is empty.
 * @throws FailureType.ComponentNotFound — a name is not a component of the driver, or its selector matches no workload.
 * @throws FailureType.WaitTimedOut — the components are not in the state within `timeoutSeconds`; lists what is pending.
 * @throws FailureType.KubernetesRequestRejected — the API refused a request (401/403) or rejected it as invalid.
 * @throws FailureType.KubernetesUnavailable — the API stayed unreachable or answered 429/5xx through every retry.
 * @throws FailureType.KubeConfigMissing — the worker has no Kubernetes connection.
 */
export async function waitForComponents(
  deploymentId: string,
  components: string[],
  wait: {
    /** `ready`: every workload has all its replicas ready; `stopped`: no pod of the components is left. */
    state: 'ready' | 'stopped';
    /** Seconds to wait before failing with WaitTimedOut. @default 300 */
    timeoutSeconds?: number;
  },
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

/**
 * Desired and ready replicas of each component, and its pods with phase and reason.
 * @idempotent yes — a read.
 * @throws FailureType.InvalidInput — `deploymentId` is not the action's deployment, or a component's selector is empty.
 * @throws FailureType.ComponentNotFound — a name is not a component of the driver, or its selector matches no workload.
 * @throws FailureType.KubernetesRequestRejected — the API refused a request (401/403) or rejected it as invalid.
 * @throws FailureType.KubernetesUnavailable — the API stayed unreachable or answered 429/5xx through every retry.
 * @throws FailureType.KubeConfigMissing — the worker has no Kubernetes connection.
 */
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
 * @idempotent yes — a release already deployed with the same chart, version and values is left `unchanged`, and a
 * revision an earlier attempt left pending or failed is recovered before helm runs again.
 * @throws FailureType.InvalidInput — `deploymentId` is not the action's deployment.
 * @throws FailureType.InvalidDriver — the release name is not a DNS label of at most 53 characters, or the chart
 * location is not an oci:// reference, an HTTP(S) chart repository or a ./folder.
 * @throws FailureType.TemplateError — the driver's values.j2.yml does not render to a YAML mapping.
 * @throws FailureType.ReleaseFailed — helm failed (retried only for transient API and connection errors); the
 * message says what state the release was left in.
 * @throws FailureType.KubernetesRequestRejected — the API refused to list the release's workloads (401/403).
 * @throws FailureType.KubernetesUnavailable — the API stayed unreachable or answered 429/5xx through every retry.
 * @throws FailureType.KubeConfigMissing — the worker has no Kubernetes connection.
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

/**
 * Checks an HTTP endpoint answers with the expected status; 5xx and network errors are retried.
 * @idempotent yes — one GET, a read, as long as the endpoint's GET changes nothing.
 * @throws FailureType.CheckFailed — the answer has another status than expected (other than 408, 429 and 5xx, which
 * are retried) or its body lacks `bodyIncludes`.
 * @throws FailureType.ServiceUnavailable — the service did not answer, or answered 408, 429 or 5xx, through every retry.
 */
export async function checkHttp(
  url: string,
  expect?: {
    /** HTTP status the answer must have. @default 200 */
    status?: number;
    /** Text the body must contain. */
    bodyIncludes?: string;
    /** Seconds one request may take. @default 10 */
    timeoutSeconds?: number;
  },
  options?: CallOptions,
) {
  return call(quickOptions, `GET ${url}`, options, (a) => a.checkHttp({ url, ...expect }));
}

/**
 * A durable wait: a Temporal timer that survives worker restarts and shows in Temporal Web.
 * @idempotent yes — the timer is part of the action's history: a resumed action waits out the same timer, not a new one.
 * @throws none — a timer cannot fail; cancelling the run cancels it.
 */
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
