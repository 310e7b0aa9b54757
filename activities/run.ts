/**
 * Activities that start a run: resolve the driver, check the input against it, freeze the context
 * and plan the modes; and name the run holding a deployment's lock.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { FailureType } from '../errors.js';
import type { LoadedDriver } from '../spec/load.js';
import { planHook } from '../spec/plan.js';
import { compareVersions } from '../spec/versions.js';
import { validateHookInput } from '../spec/validate-input.js';
import type { LockHolder } from '../workflows/lock.js';
import type { Hook, HookInput, PreparedRun, SetupInput, UpgradeInput } from '../workflows/types.js';
import { buildContext, releaseSettings, type ContextDefaults } from './context.js';

/** What `prepareRun` is asked. */
export interface PrepareRunInput {
  hook: Hook;
  input: HookInput;
  workflowId: string;
}

function invalidInput(hook: Hook, message: string, problems: string[] = [message]): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: `invalid ${hook} input: ${message}`, details: [{ hook, problems }] });
}

/** The driver a run asked for: the exact revision, or the newest loaded one. */
export function pickDriver(drivers: LoadedDriver[], hook: Hook, name: string, version?: string): LoadedDriver {
  const named = drivers.filter((d) => d.name === name).sort((a, b) => compareVersions(b.version, a.version));
  const found = version === undefined ? named[0] : named.find((d) => d.version === version);
  if (found) return found;
  const known = drivers.map((d) => `${d.name}@${d.version}`).join(', ') || 'none';
  const what = version === undefined ? `driver "${name}"` : `driver "${name}" version "${version}"`;
  throw invalidInput(hook, `this worker has no ${what}; it has: ${known}`);
}

/** Builds the run activities over the drivers the worker loaded. */
export function createRunActivities(deps: { drivers: LoadedDriver[]; client: Client; defaults?: ContextDefaults }) {
  return {
    /** Checks a hook's input against its driver and returns the frozen context and the plan. */
    async prepareRun({ hook, input }: PrepareRunInput): Promise<PreparedRun> {
      const driver = pickDriver(deps.drivers, hook, input.driver, input.driverVersion);
      const checked = validateHookInput(driver.spec, hook, {
        version: (input as SetupInput).version,
        targetVersion: (input as UpgradeInput).targetVersion,
        parameters: input.parameters,
      });
      if (checked.problems.length > 0) {
        throw invalidInput(hook, `${driver.name}@${driver.version}: ${checked.problems.join('; ')}`, checked.problems);
      }
      const context = buildContext(driver, input, checked, deps.defaults);
      return {
        context,
        versions: { target: checked.version },
        plan: planHook(driver, hook),
        release: releaseSettings(driver),
      };
    },

    /** Who holds a deployment's lock, from the lock workflow's memo; undefined once it is free. */
    async describeLockHolder({ lockWorkflowId }: { lockWorkflowId: string }): Promise<LockHolder | undefined> {
      try {
        const lock = await deps.client.workflow.getHandle(lockWorkflowId).describe();
        return lock.status.name === 'RUNNING' ? (lock.memo as unknown as LockHolder) : undefined;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    },
  };
}
