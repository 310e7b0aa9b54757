/**
 * Activities that start a run: resolve the driver, check the input against it, freeze the context
 * and plan the modes; and name the run holding a deployment's lock.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { FailureType } from '../../contract/failures.js';
import type { LoadedDriver } from '../../driver-spec/load.js';
import { planHook } from '../../driver-spec/plan.js';
import { findDriverRevision } from '../../driver-spec/revisions.js';
import { compareVersions } from '../../driver-spec/versions.js';
import { validateHookInput } from '../../driver-spec/validate-input.js';
import type { RunActivities } from '../../contract/activities.js';
import type { LockHolder } from '../../contract/lock.js';
import {
  Hook,
  type HookInput,
  type ParameterValue,
  type SetupInput,
  type UpgradeInput,
} from '../../contract/lifecycle.js';
import { DeploymentStatus, type DeploymentRecord } from '../../contract/record.js';
import { describeCancellation, findInterruptedRun } from './closed-runs.js';
import { buildContext, releaseSettings, type ContextDefaults } from './context.js';

function invalidInput(hook: Hook, message: string, problems: string[] = [message]): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.InvalidInput,
    nonRetryable: true,
    message: `invalid ${hook} input: ${message}`,
    details: [{ hook, problems: problems.slice(0, 10) }],
  });
}

/** The driver a run asked for: the exact revision, or the newest loaded one. */
function pickDriver(drivers: LoadedDriver[], hook: Hook, name: string, version?: string): LoadedDriver {
  const found = findDriverRevision(drivers, name, version);
  if (found) return found;
  const known = drivers.map((d) => `${d.name}@${d.version}`).join(', ') || 'none';
  const what = version === undefined ? `driver "${name}"` : `driver "${name}" version "${version}"`;
  throw invalidInput(hook, `this worker has no ${what}; it has: ${known}`);
}

function recordConflict(message: string, details: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.RecordConflict,
    nonRetryable: true,
    message,
    details: [details],
  });
}

/** Setup is for new deployments, upgrade for existing ones of the same driver. */
function checkAgainstRecord(hook: Hook, input: HookInput, record: DeploymentRecord | null): void {
  const { deploymentId, namespace } = input;
  if (hook === Hook.Setup && record?.status === DeploymentStatus.Deployed) {
    throw recordConflict(
      `deployment "${deploymentId}" is already set up in namespace "${namespace}" (${record.driver}@${record.driverVersion}, ` +
        `application ${record.appVersion}); start an upgrade to change it`,
      { deploymentId, namespace, appVersion: record.appVersion },
    );
  }
  if (hook === Hook.Upgrade && record === null) {
    throw recordConflict(`deployment "${deploymentId}" has no record in namespace "${namespace}": run setup first`, {
      deploymentId,
      namespace,
    });
  }
  if (hook === Hook.Upgrade && record !== null && record.driver !== input.driver) {
    throw recordConflict(`deployment "${deploymentId}" runs driver "${record.driver}", not "${input.driver}"`, {
      deploymentId,
      driver: record.driver,
    });
  }
}

/** A downgrade needs `allowDowngrade: true`. */
function checkDirection(input: UpgradeInput, current: string, target: string): void {
  if (compareVersions(target, current) >= 0 || input.allowDowngrade === true) return;
  throw recordConflict(
    `refusing to downgrade deployment "${input.deploymentId}" from ${current} to ${target}; ` +
      'start the upgrade with "allowDowngrade": true if that is what you mean',
    { deploymentId: input.deploymentId, current, target },
  );
}

/** The recorded parameters the driver still declares (a new driver version may drop some). */
function keepDeclared(
  driver: LoadedDriver,
  parameters: Record<string, ParameterValue>,
): Record<string, ParameterValue> {
  const declared = new Set((driver.spec.spec.parameters ?? []).map((p) => p.name));
  return Object.fromEntries(Object.entries(parameters).filter(([name]) => declared.has(name)));
}

/** What the run activities need from the worker. */
export interface RunDeps {
  drivers: LoadedDriver[];
  /** Reads the lock workflow's memo to name the run holding a deployment. */
  client: Client;
  defaults?: ContextDefaults;
}

/** Builds the run activities over the drivers the worker loaded. */
export function createRunActivities(deps: RunDeps): RunActivities {
  return {
    async prepareRun({ hook, input, record }) {
      const driver = pickDriver(deps.drivers, hook, input.driver, input.driverVersion);
      checkAgainstRecord(hook, input, record);
      // An upgrade keeps the deployed parameters and configuration unless the input changes them.
      const upgrading = hook === Hook.Upgrade && record !== null;
      const parameters = upgrading
        ? { ...keepDeclared(driver, record.parameters), ...input.parameters }
        : input.parameters;
      const checked = validateHookInput(driver.spec, hook, {
        version: (input as SetupInput).version,
        targetVersion: (input as UpgradeInput).targetVersion,
        parameters,
      });
      if (checked.problems.length > 0) {
        const shown = checked.problems.slice(0, 10);
        const more =
          checked.problems.length > shown.length ? `; and ${checked.problems.length - shown.length} more` : '';
        throw invalidInput(hook, `${driver.name}@${driver.version}: ${shown.join('; ')}${more}`, checked.problems);
      }
      const current = upgrading ? record.appVersion : undefined;
      if (current !== undefined) checkDirection(input as UpgradeInput, current, checked.version);
      const config = input.config ?? (upgrading ? record.config : undefined);
      const context = buildContext(driver, { ...input, config }, checked, deps.defaults);
      return {
        context,
        versions: { current, target: checked.version },
        plan: planHook(driver, hook),
        release: releaseSettings(driver),
        secretParameters: (driver.spec.spec.parameters ?? []).filter((p) => p.secret === true).map((p) => p.name),
        interruptedRun: await findInterruptedRun(deps.client, record),
      };
    },

    describeCancellation: (run) => describeCancellation(deps.client, run),

    async describeLockHolder({ lockWorkflowId }) {
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
