/**
 * The plan of a hook: its three modes in order, each with the steps that run side by side. A core
 * without actions whose driver has a chart gets the built-in Helm release step; a declared core
 * action replaces that step.
 *
 * Pure (no Node imports, only pure modules): workflow code imports this module.
 */
import { modes, type Hook } from '../contract/lifecycle.js';
import {
  actionWorkflowType,
  releaseStepName,
  type ActionStep,
  type ModePlan,
  type PlannedStep,
} from '../contract/plan.js';
import type { DriverSpec } from './types.js';

/** A driver as the planner needs it: a `LoadedDriver` fits, so does any spec with its name and version. */
export interface PlannableDriver {
  name: string;
  version: string;
  spec: DriverSpec;
}

/** Plans `hook` for a driver: pre, core and post in that order, actions in declaration order. */
export function planHook(driver: PlannableDriver | DriverSpec, hook: Hook): ModePlan[] {
  const named =
    'apiVersion' in driver ? { name: driver.metadata.name, version: driver.spec.version, spec: driver } : driver;
  const actions = (named.spec.spec.actions ?? []).filter((action) => action.hook === hook);
  return modes.map((mode) => {
    const planned = actions
      .filter((action) => action.mode === mode)
      .map((action): ActionStep => ({
        kind: 'action',
        name: action.name,
        hook,
        mode,
        workflowType: actionWorkflowType(named.name, named.version, action.name),
        ...(action.description === undefined ? {} : { description: action.description }),
      }));
    const release = mode === 'core' && planned.length === 0 && named.spec.spec.helm !== undefined;
    const steps: PlannedStep[] = release ? [{ kind: 'release', name: releaseStepName }] : planned;
    return { mode, steps };
  });
}
