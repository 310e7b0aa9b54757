/**
 * The run's frozen context and what each action receives. The context holds no worker-local
 * facts (such as where the driver lives on disk), so any worker can resume the run.
 */
import type { Hook, Mode, ParameterValue, Versions } from './lifecycle.js';

/** A component as actions and primitives see it: its name and the labels that select it. */
export interface ComponentRef {
  /** The component's name: its key in the spec's `components`. */
  name: string;
  /** The component's `identifier.label`: the labels a workload or pod needs, all of them, to belong to it. */
  selector: Record<string, string>;
}

/** A declared network endpoint of the application. */
export interface ServiceRef {
  /** The service's `name` in the spec; also its key in `services`. */
  name: string;
  /** The spec's `kind`: the endpoint's protocol, such as `http` or `tcp`. */
  kind: string;
  /** The spec's `scope`: who reaches the endpoint, such as `external` or `internal`. */
  scope: string;
  /** The spec's `port`: the endpoint's port number. */
  port: number;
  /** The spec's `component`: the name of the component that serves the endpoint. */
  component: string;
}

/**
 * The run's context: resolved once when the run starts, then frozen. Every values template and
 * every action of the run sees this same object.
 */
export interface RunContext {
  /** The deployment the run works on. */
  deployment: {
    /** The deployment's id, as the run's input gives it (`deploymentId`). */
    id: string;
    /** The Kubernetes namespace the deployment lives in (the input's `namespace`). */
    namespace: string;
  };
  /** The driver revision; workers find its files by name and version. */
  driver: {
    /** The driver's `metadata.name`. */
    name: string;
    /** The driver revision's `spec.version` (not the application's version: that is `app.version`). */
    version: string;
  };
  /** The application the run deploys. */
  app: {
    /** The application's name: the driver's `metadata.name`. */
    name: string;
    /**
     * The application version the run deploys: setup's `version` (or the driver's
     * `default_version`), upgrade's `targetVersion`.
     */
    version: string;
    /** The chart of the driver's `helm.main`; null when the driver has no `helm` section. */
    chart: {
      /** Where the chart is: `helm.main.location`, or its replacement in the worker's `STYRMIN_CHART_LOCATIONS`. */
      location: string;
      /** The chart version: `helm.main.version`. */
      version: string;
    } | null;
  };
  /** This installation of the application. */
  instance: {
    /** The Kubernetes namespace it is installed in; the same as `deployment.namespace`. */
    namespace: string;
    /** The Helm release name: the deployment id (the release step needs a DNS label of at most 53 characters). */
    release: string;
    /**
     * The deployment's configuration: the input's `config`, or on an upgrade without one, the
     * configuration in the deployment record; `{}` when there is none. Operators put
     * per-component overrides in `components.<name>` (`env_vars`, `command`, `args`), which the
     * `component_*` helpers read.
     */
    config: Record<string, unknown>;
  };
  /** Every component of the spec's `components`, by name. */
  components: Record<string, ComponentRef>;
  /**
   * Every declared parameter by name, defaults applied; an upgrade keeps the deployed values its
   * input does not change. A secret parameter holds the mask `********` in actions; the values
   * template sees its value.
   */
  parameters: Record<string, ParameterValue>;
  /** Every service of the spec's `services`, by name. */
  services: Record<string, ServiceRef>;
  /**
   * Cluster-level settings a program that builds its own worker passes as `defaults.cluster` to
   * `createStyrminWorker`; `{}` with `styrmin worker`.
   */
  cluster: Record<string, unknown>;
  /**
   * Environment-level settings a program that builds its own worker passes as
   * `defaults.environment` to `createStyrminWorker`; `{}` with `styrmin worker`.
   */
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
  /** The deployment the run works on; pass it to the primitives that take one (another fails with `InvalidInput`). */
  deploymentId: string;
  /** The hook that runs the action: `setup` or `upgrade`. */
  hook: Hook;
  /** The mode the action runs in: `pre`, `core` or `post`. */
  mode: Mode;
  /** The action's `name` in the spec. */
  action: string;
  /** The application versions the run moves between: `target`, and `current` (absent on setup). */
  versions: Versions;
  /**
   * Every declared parameter, defaults applied: the context's own, for short access. A secret
   * parameter reads as its mask here (`readSecretParameter` gives the value).
   */
  parameters: P;
  /** The run's context: what a values template sees as its variables, but with secret parameters masked. */
  context: RunContext;
}

/**
 * What an action's child workflow is started with: the action input without the parameters
 * (they are in the context already, so history holds them once) plus the driver's release
 * settings, which `upgradeDeploymentVersion` uses.
 */
export interface ActionRequest extends Omit<ActionInput, 'parameters'> {
  /** The driver's `helm.timeout` and `helm.on_failure`, for `upgradeDeploymentVersion`. */
  release: ReleaseSettings;
}
