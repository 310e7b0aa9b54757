/**
 * Failure types that cross Temporal. Each is the `type` of an `ApplicationFailure`, so retry
 * policies can name them and operators can filter on them in Temporal Web.
 *
 * This module has no imports: workflows, activities and the client all use it.
 */
export const FailureType = {
  /** The workflow input is wrong (unknown driver, bad version, bad parameter). Never retried. */
  InvalidInput: 'InvalidInput',
  /** Another lifecycle run holds the deployment. Never retried. */
  DeploymentLocked: 'DeploymentLocked',
  /** One or more actions of a mode failed; later modes did not run. */
  ModeFailed: 'ModeFailed',
  /** An operator aborted the run, or it waited longer than its decision timeout. */
  RunAborted: 'RunAborted',
  /** A driver action threw an error of its own. */
  ActionFailed: 'ActionFailed',
  /** The workflow type of an action is not registered on this worker. */
  UnknownAction: 'UnknownAction',
  /** A driver spec failed validation. */
  InvalidDriver: 'InvalidDriver',
  /** A check (HTTP probe, smoke test) got an answer that retrying cannot change. */
  CheckFailed: 'CheckFailed',
  /** A checked service did not answer, or answered 408/429/5xx. Retried with backoff; the action sees it when retries run out. */
  ServiceUnavailable: 'ServiceUnavailable',
  /** A command run in a pod exited non-zero. */
  CommandFailed: 'CommandFailed',
  /** A component is unknown, or its selector matches nothing. */
  ComponentNotFound: 'ComponentNotFound',
  /** The Kubernetes API refused the request (401/403) or rejected it as invalid (4xx). */
  KubernetesRequestRejected: 'KubernetesRequestRejected',
  /** The Kubernetes API was unreachable or answered 409/429/5xx. Retried with backoff. */
  KubernetesUnavailable: 'KubernetesUnavailable',
  /** No pod of a component is ready to run a command yet. Retried, so a later attempt finds one. */
  ComponentNotReady: 'ComponentNotReady',
  /** A wait for components ran out of time. */
  WaitTimedOut: 'WaitTimedOut',
  /** No Kubernetes connection is configured. */
  KubeConfigMissing: 'KubeConfigMissing',
  /** Rendering the driver's values template failed. */
  TemplateError: 'TemplateError',
  /** A Helm release step failed. */
  ReleaseFailed: 'ReleaseFailed',
  /** The deployment record forbids the run (no record for an upgrade, a downgrade, ...). */
  RecordConflict: 'RecordConflict',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that retrying cannot fix; every activity retry policy lists them. */
export const nonRetryableFailureTypes: FailureType[] = [
  FailureType.InvalidInput,
  FailureType.DeploymentLocked,
  FailureType.UnknownAction,
  FailureType.InvalidDriver,
  FailureType.CheckFailed,
  FailureType.CommandFailed,
  FailureType.ComponentNotFound,
  FailureType.KubernetesRequestRejected,
  FailureType.WaitTimedOut,
  FailureType.KubeConfigMissing,
  FailureType.TemplateError,
  FailureType.RecordConflict,
];

/**
 * A value as a failure message quotes it: JSON, cut to `max` characters with its full length
 * said, so a huge bad input never makes a huge message (Temporal refuses oversized failures).
 */
export function quoted(value: unknown, max = 60): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length <= max ? json : `${json.slice(0, max)}… (${json.length} characters)`;
}
