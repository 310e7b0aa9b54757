/**
 * The lifecycle contract: what operators pass to `setup` and `upgrade` and what a run returns.
 * Pure types and constants: workflows, activities, the client and the CLI import them alike.
 */
/** Default task queue of the lifecycle workflows, shared by the worker, the client and the CLI. */
export const defaultTaskQueue = 'styrmin';

/** A lifecycle hook: when in a deployment's life its actions run. */
export const Hook = { Setup: 'setup', Upgrade: 'upgrade' } as const;
export type Hook = (typeof Hook)[keyof typeof Hook];
/** Every hook, in the order a deployment meets them. */
export const hooks: readonly Hook[] = [Hook.Setup, Hook.Upgrade];

/** A mode orders the work inside a hook: every `pre` action ends before `core` starts, and so on. */
export const Mode = { Pre: 'pre', Core: 'core', Post: 'post' } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];
/** Every mode, in the order a hook runs them. */
export const modes: readonly Mode[] = [Mode.Pre, Mode.Core, Mode.Post];

/** What a run does when actions of a mode fail: fail at once (the default) or wait for a decision. */
export const OnActionFailure = { Fail: 'fail', Wait: 'wait' } as const;
export type OnActionFailure = (typeof OnActionFailure)[keyof typeof OnActionFailure];

/** How long a waiting run waits for a decision before it aborts on its own. */
export const defaultDecisionTimeout = '24h';

/** A parameter value as it arrives in plain JSON. */
export type ParameterValue = string | number | boolean;

/** A secret parameter's value taken from a key of an existing Kubernetes Secret in the deployment's namespace. */
export interface SecretRef {
  secretRef: { name: string; key: string };
}

/** A parameter value as an input gives it: plain, or for a secret parameter, a reference (contract/secrets.ts). */
export type ParameterInput = ParameterValue | SecretRef;

interface HookInputBase {
  /** Stable id of the deployment; one lifecycle run per deployment at a time. */
  deploymentId: string;
  /** `metadata.name` of the driver. */
  driver: string;
  /** `spec.version` of the driver; the newest loaded revision when omitted. */
  driverVersion?: string;
  /** Kubernetes namespace of the deployment. */
  namespace: string;
  /** Parameter values by name; defaults apply to the ones left out. */
  parameters?: Record<string, ParameterInput>;
  /** Per-deployment configuration seen by templates as `instance.config` (e.g. component overrides). */
  config?: Record<string, unknown>;
  /** When actions of a mode fail: `fail` the run at once, or `wait` for an operator's decision. @default "fail" */
  onActionFailure?: OnActionFailure;
  /** How long a run waits for a decision or an approval before it aborts on its own, e.g. `"30m"`. @default "24h" */
  decisionTimeout?: string;
  /** Modes that wait for an operator's `approve` before they start, e.g. `["core"]`. @default [] */
  approveBefore?: Mode[];
  /** Put back what the run stopped (components, CronJobs) when it does not complete. @default true */
  compensate?: boolean;
}

/** Input of the `setup` workflow. */
export interface SetupInput extends HookInputBase {
  /** Application version to install; the driver's `default_version` when omitted (required when the driver has none). */
  version?: string;
}

/** Input of the `upgrade` workflow. */
export interface UpgradeInput extends HookInputBase {
  /** Application version to move to. */
  targetVersion: string;
  /** Allow a target below the current version. @default false */
  allowDowngrade?: boolean;
}

/** Input of either lifecycle workflow. */
export type HookInput = SetupInput | UpgradeInput;

/**
 * Size limits of a hook input. A run refuses larger input at once (`InvalidInput`): every value
 * travels in the run's history, and Temporal refuses payloads of a few MB.
 */
export const inputLimits = {
  /** The whole input as JSON. */
  inputBytes: 256 * 1024,
  /** How deeply objects and arrays may nest. */
  depth: 16,
  /** A driver name. */
  name: 100,
  /** `version`, `targetVersion`, `driverVersion`. */
  version: 64,
  /** How many parameters. */
  parameterCount: 200,
  /** A parameter name. */
  parameterName: 100,
  /** A string parameter value (a certificate chain fits). */
  parameterValue: 64 * 1024,
  /** `config` as JSON. */
  configBytes: 128 * 1024,
} as const;

/** Versions a run works between. `current` is absent on setup. */
export interface Versions {
  current?: string;
  target: string;
}

/**
 * What a run does, in one line: the start's static summary, which Temporal Web shows under the
 * run's "User Metadata", e.g. `upgrade shop to 2.0.0 (example-app, namespace shop)`. Once the run
 * knows its `versions`, it says where from: `upgrade shop 1.0.0 → 2.0.0 (example-app@1.0.0, …)`,
 * its `StyrminSummary`. Safe on any input: the run itself checks it.
 */
export function runSummary(
  hook: Hook,
  input: Partial<SetupInput & UpgradeInput>,
  known?: { versions: Versions; driverVersion: string },
): string {
  const to = hook === Hook.Setup ? (input.version ?? "the driver's default version") : input.targetVersion;
  const move = known
    ? known.versions.current
      ? `${known.versions.current} → ${known.versions.target}`
      : `to ${known.versions.target}`
    : `to ${to}`;
  const driverVersion = known?.driverVersion ?? input.driverVersion;
  const driver = driverVersion ? `${input.driver}@${driverVersion}` : input.driver;
  return `${hook} ${input.deploymentId} ${move} (${driver}, namespace ${input.namespace})`.slice(0, 200);
}

/** Workflow id of a run when the caller names none: `<deployment>/<hook>`. */
export function runWorkflowId(deploymentId: string, hook: Hook): string {
  return `${deploymentId}/${hook}`;
}
