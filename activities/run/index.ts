/**
 * Activities that start a run: resolve the driver, check the input against it, freeze the context
 * and plan the modes; and name the run holding a deployment's lock.
 */
import { setTimeout } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { KubeConfig } from '@kubernetes/client-node';
import { FailureType } from '../../contract/failures.js';
import type { LoadedDriver } from '../../driver-spec/load.js';
import { planHook } from '../../driver-spec/plan.js';
import { findDriverRevision, missingDriverMessage } from '../../driver-spec/revisions.js';
import { compareVersions } from '../../driver-spec/versions.js';
import { validateHookInput } from '../../driver-spec/validate-input.js';
import type { RunActivities } from '../../contract/activities.js';
import type { LockHolder } from '../../contract/lock.js';
import {
  Hook,
  type HookInput,
  type ParameterInput,
  type ParameterValue,
  type SetupInput,
  type UpgradeInput,
} from '../../contract/lifecycle.js';
import { DeploymentStatus, type DeploymentRecord } from '../../contract/record.js';
import { describeCancellation, findInterruptedRun } from './closed-runs.js';
import { buildContext, releaseSettings, type ContextDefaults } from './context.js';
import { isSecretRef, secretMask } from '../../contract/secrets.js';
import { readReferencedSecret, secretParameterNames } from '../secrets/store.js';

function invalidInput(hook: Hook, message: string, problems: string[] = [message]): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.InvalidInput,
    nonRetryable: true,
    message: `invalid ${hook} input: ${message}`,
    details: [{ hook, problems: problems.slice(0, 10) }],
  });
}

/**
 * The parameters as the input check sees them: a secret given by reference is read from its
 * Secret, so its value is checked like any other; a secret kept from the record (masked) was
 * checked when it was stored and is taken as it is.
 */
async function secretsForCheck(
  kc: KubeConfig,
  driver: LoadedDriver,
  namespace: string,
  given: Record<string, ParameterInput>,
): Promise<{ parameters: Record<string, ParameterValue>; kept: Record<string, ParameterValue> }> {
  const parameters: Record<string, ParameterValue> = {};
  const kept: Record<string, ParameterValue> = {};
  const secret = secretParameterNames(driver.spec);
  for (const [name, value] of Object.entries(given)) {
    if (!secret.includes(name) || !(isSecretRef(value) || value === secretMask))
      parameters[name] = value as ParameterValue;
    else if (value === secretMask) kept[name] = secretMask;
    else parameters[name] = await readReferencedSecret(kc, namespace, name, value);
  }
  return { parameters, kept };
}

/** The driver a run asked for: the exact revision, or the newest loaded one. */
function pickDriver(drivers: LoadedDriver[], hook: Hook, name: string, version?: string): LoadedDriver {
  const found = findDriverRevision(drivers, name, version);
  if (found) return found;
  throw invalidInput(hook, missingDriverMessage(drivers, name, version));
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
  /** Reads the Secrets an input refers to. */
  kubeConfig: () => KubeConfig;
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
      const given = upgrading ? { ...keepDeclared(driver, record.parameters), ...input.parameters } : input.parameters;
      const { parameters, kept } = await secretsForCheck(deps.kubeConfig(), driver, input.namespace, given ?? {});
      const checked = validateHookInput(
        driver.spec,
        hook,
        {
          version: (input as SetupInput).version,
          targetVersion: (input as UpgradeInput).targetVersion,
          parameters,
        },
        kept,
      );
      if (checked.problems.length > 0) {
        const shown = checked.problems.slice(0, 10);
        const more =
          checked.problems.length > shown.length ? `; and ${checked.problems.length - shown.length} more` : '';
        throw invalidInput(hook, `${driver.name}@${driver.version}: ${shown.join('; ')}${more}`, checked.problems);
      }
      const current = upgrading ? record.appVersion : undefined;
      if (current !== undefined) checkDirection(input as UpgradeInput, current, checked.version);
      const config = input.config ?? (upgrading ? record.config : undefined);
      // Secret values stay out of the context: activities that need them read the deployment's Secret.
      const secretNames = secretParameterNames(driver.spec);
      const masked = { ...checked.parameters, ...Object.fromEntries(secretNames.map((name) => [name, secretMask])) };
      const context = buildContext(driver, { ...input, config }, { ...checked, parameters: masked }, deps.defaults);
      return {
        context,
        versions: { current, target: checked.version },
        plan: planHook(driver, hook),
        release: releaseSettings(driver),
        secretParameters: secretNames,
        interruptedRun: await findInterruptedRun(deps.client, record),
      };
    },

    describeCancellation: (run) => describeCancellation(deps.client, run),

    async describeLockHolder({ lockWorkflowId, waitIfHolderClosed }) {
      const closingBy = Date.now() + lockClosingWaitMs;
      for (;;) {
        const holder = await runningLockHolder(deps.client, lockWorkflowId);
        if (!holder || !waitIfHolderClosed || Date.now() > closingBy) return holder;
        if (await isRunning(deps.client, holder)) return holder;
        await setTimeout(100);
      }
    },
  };
}

/** How long a run waits for the lock of a closed holder to end with it (Temporal terminates it then). */
const lockClosingWaitMs = 10_000;

/** The holder named by a running lock's memo; undefined when the lock is not running. */
async function runningLockHolder(client: Client, lockWorkflowId: string): Promise<LockHolder | undefined> {
  try {
    const lock = await client.workflow.getHandle(lockWorkflowId).describe();
    return lock.status.name === 'RUNNING' ? (lock.memo as unknown as LockHolder) : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** True while a run has not closed; a run Temporal no longer knows has closed. */
async function isRunning(client: Client, { workflowId, runId }: LockHolder): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId, runId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
