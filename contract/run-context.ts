/**
 * The run's frozen context and what each action receives. The context holds no worker-local
 * facts (such as where the driver lives on disk), so any worker can resume the run.
 */
import type { Hook, Mode, ParameterValue, Versions } from './lifecycle.js';

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
  /** The driver revision; workers find its files by name and version. */
  driver: { name: string; version: string };
  app: { name: string; version: string; chart: { location: string; version: string } | null };
  instance: { namespace: string; release: string; config: Record<string, unknown> };
  components: Record<string, ComponentRef>;
  parameters: Record<string, ParameterValue>;
  services: Record<string, ServiceRef>;
  cluster: Record<string, unknown>;
  environment: Record<string, unknown>;
}

/** How the release step runs: the driver's `helm.timeout` and `helm.on_failure`, or a call's own. */
export interface ReleaseSettings {
  /** How long helm may wait for the release to become ready. @default 300 */
  timeoutSeconds?: number;
  /** What a failed step leaves behind. @default 'rollback' on upgrade, 'keep' on setup */
  onFailure?: 'rollback' | 'keep';
}

/**
 * The one argument every action function receives. `P` narrows `parameters` to the driver's own
 * (`Input` of a driver's generated `parameters.generated.ts`); the default fits any driver.
 */
export interface ActionInput<P extends Record<string, ParameterValue> = Record<string, ParameterValue>> {
  deploymentId: string;
  hook: Hook;
  mode: Mode;
  action: string;
  versions: Versions;
  /**
   * Every declared parameter, defaults applied: the context's own, for short access. A secret
   * parameter reads as its mask here (`readSecretParameter` gives the value).
   */
  parameters: P;
  context: RunContext;
}

/**
 * What an action's child workflow is started with: the action input without the parameters
 * (they are in the context already, so history holds them once) plus the driver's release
 * settings, which `upgradeDeploymentVersion` uses.
 */
export interface ActionRequest extends Omit<ActionInput, 'parameters'> {
  release: ReleaseSettings;
}
