/**
 * The lifecycle contract: what operators pass to `setup` and `upgrade`, what every action
 * receives, and what the `progress` query returns. Workflows, activities and the client all
 * import these types from here.
 */

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

/** A parameter value as it arrives in plain JSON. */
export type ParameterValue = string | number | boolean;

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
  parameters?: Record<string, ParameterValue>;
  /** Per-deployment configuration seen by templates as `instance.config` (e.g. component overrides). */
  config?: Record<string, unknown>;
}

/** Input of the `setup` workflow. */
export interface SetupInput extends HookInputBase {
  /** Application version to install; the driver's `default_version` when omitted. */
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

/** A component as actions and primitives see it: its name and the labels that select it. */
export interface ComponentRef {
  name: string;
  selector: Record<string, string>;
}

/** A declared network endpoint of the application. */
export interface ServiceRef {
  name: string;
  kind: string;
  scope: string;
  port: number;
  component: string;
}

/**
 * The run's context: resolved once when the run starts, then frozen. Every values template and
 * every action of the run sees this same object.
 */
export interface RunContext {
  deployment: { id: string; namespace: string };
  driver: { name: string; version: string; dir: string };
  app: { name: string; version: string; chart: { location: string; version: string } | null };
  instance: { namespace: string; release: string; config: Record<string, unknown> };
  components: Record<string, ComponentRef>;
  parameters: Record<string, ParameterValue>;
  services: Record<string, ServiceRef>;
  cluster: Record<string, unknown>;
  environment: Record<string, unknown>;
}

/** Versions an action works between. `current` is absent on setup. */
export interface Versions {
  current?: string;
  target: string;
}

/** The one argument every action workflow receives. */
export interface ActionInput {
  deploymentId: string;
  hook: Hook;
  mode: Mode;
  action: string;
  versions: Versions;
  /** Parameter values with defaults applied (secrets included; never log them). */
  parameters: Record<string, ParameterValue>;
  context: RunContext;
}

/** One action of a driver as the engine schedules it. */
export interface PlannedAction {
  name: string;
  hook: Hook;
  mode: Mode;
  /** Workflow type the action is registered under: `<driver>@<driverVersion>/<action>`. */
  workflowType: string;
  description?: string;
}

/** State of one action of a run. */
export const ActionState = {
  Pending: 'pending',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
} as const;
export type ActionState = (typeof ActionState)[keyof typeof ActionState];

/** State of one mode of a run: an action's states, or skipped. */
export const ModeState = { ...ActionState, Skipped: 'skipped' } as const;
export type ModeState = (typeof ModeState)[keyof typeof ModeState];

/** State of a whole run. */
export const RunStatus = { Running: 'running', Succeeded: 'succeeded', Failed: 'failed' } as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** Progress of one action, as the `progress` query returns it. */
export interface ActionProgress {
  name: string;
  workflowId: string;
  workflowType: string;
  state: ActionState;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  lastError?: string;
}

/** Progress of one mode. */
export interface ModeProgress {
  mode: Mode;
  state: ModeState;
  startedAt?: string;
  endedAt?: string;
  actions: ActionProgress[];
}

/** What the `progress` query returns. */
export interface RunProgress {
  deploymentId: string;
  driver: string;
  hook: Hook;
  status: RunStatus;
  versions?: Versions;
  modes: ModeProgress[];
  error?: string;
}

/** Workflow type of an action: namespaced by driver and driver version. */
export function actionWorkflowType(driver: string, driverVersion: string, action: string): string {
  return `${driver}@${driverVersion}/${action}`;
}

/** The actions of one mode, all started at once. */
export interface ModePlan {
  mode: Mode;
  actions: PlannedAction[];
  /** True for a core without actions whose driver has a chart: the built-in Helm release step runs. */
  helmRelease: boolean;
}

/** How the built-in release step runs when a hook has no core action. */
export interface ReleaseSettings {
  timeoutSeconds?: number;
  onFailure?: 'rollback' | 'keep';
}

/** Everything a run needs, resolved once when it starts: checked input, frozen context, plan. */
export interface PreparedRun {
  context: RunContext;
  versions: Versions;
  plan: ModePlan[];
  release: ReleaseSettings;
  /** Names of secret parameters: the record keeps them in a Secret, never in clear. */
  secretParameters: string[];
}

/** What a finished run returns. */
export interface RunResult {
  deploymentId: string;
  hook: Hook;
  versions: Versions;
  progress: RunProgress;
}
