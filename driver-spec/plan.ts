/**
 * The plan of a hook: its three modes in order, each with the actions that run side by side.
 *
 * Pure (no Node imports, only pure modules): workflow code imports this module.
 */
import { actionWorkflowType, modes, type Hook, type Mode, type PlannedAction } from '../contract/lifecycle.js';
import type { DriverSpec } from './types.js';

/** A driver as the planner needs it: a `LoadedDriver` fits, so does any spec with its name and version. */
export interface PlannableDriver {
  name: string;
  version: string;
  spec: DriverSpec;
}

/** One mode of a hook and the actions it starts side by side. */
export interface PlannedMode {
  mode: Mode;
  actions: PlannedAction[];
  /**
   * True for `core` when the driver declares no core action for the hook but has a chart: the
   * built-in Helm release step (install or upgrade) is the mode's work. A declared core action
   * replaces that step.
   */
  helmRelease: boolean;
}

/** Plans `hook` for a driver: pre, core and post in that order, actions in declaration order. */
export function planHook(driver: PlannableDriver | DriverSpec, hook: Hook): PlannedMode[] {
  const named = 'apiVersion' in driver ? { name: driver.metadata.name, version: driver.spec.version, spec: driver } : driver;
  const actions = (named.spec.spec.actions ?? []).filter((action) => action.hook === hook);
  return modes.map((mode) => {
    const planned = actions
      .filter((action) => action.mode === mode)
      .map((action): PlannedAction => ({
        name: action.name,
        hook,
        mode,
        workflowType: actionWorkflowType(named.name, named.version, action.name),
        ...(action.description === undefined ? {} : { description: action.description }),
      }));
    const helmRelease = mode === 'core' && planned.length === 0 && named.spec.spec.helm !== undefined;
    return { mode, actions: planned, helmRelease };
  });
}
