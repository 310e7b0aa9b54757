/**
 * The shape checks of a hook's input, done in the workflow before anything else runs, so a typo
 * in a `temporal workflow start --input` fails at once with a message saying what to fix.
 * (What depends on the driver, such as parameters and versions, is checked when the run is prepared.)
 *
 * Every field has a size limit, and messages quote at most a short prefix of a bad value: an
 * oversized input must fail the run, not make a failure too large for Temporal to record (the
 * workflow task would then fail and be retried forever).
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, quoted } from '../contract/failures.js';
import { isSecretRef } from '../contract/secrets.js';
import { inputLimits, modes, OnActionFailure, type Hook, type Mode } from '../contract/lifecycle.js';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const runOptions = ['onActionFailure', 'decisionTimeout', 'approveBefore', 'compensate'];
const known: Record<Hook, string[]> = {
  setup: ['deploymentId', 'driver', 'driverVersion', 'namespace', 'parameters', 'config', 'version', ...runOptions],
  upgrade: [
    'deploymentId',
    'driver',
    'driverVersion',
    'namespace',
    'parameters',
    'config',
    'targetVersion',
    'allowDowngrade',
    ...runOptions,
  ],
};
/** A duration as Temporal reads it: a number and a unit, e.g. `90s`, `30m`, `24h`, `7d`. */
const duration = /^[0-9]{1,6}(ms|s|m|h|d)$/;
const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

/** How deeply `value` nests objects and arrays, counted without recursion (deep input must not overflow the stack). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > inputLimits.depth) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function parameterProblems(parameters: Record<string, unknown>): string[] {
  const names = Object.keys(parameters);
  if (names.length > inputLimits.parameterCount)
    return [`"parameters" has ${names.length} entries, at most ${inputLimits.parameterCount} are allowed`];
  const problems: string[] = [];
  for (const name of names) {
    const value = parameters[name];
    if (name.length > inputLimits.parameterName)
      problems.push(`parameter name ${quoted(name)} is longer than ${inputLimits.parameterName} characters`);
    else if (typeof value === 'string' && value.length > inputLimits.parameterValue)
      problems.push(
        `parameter "${name}" is ${kib(value.length)} long, at most ${kib(inputLimits.parameterValue)} is allowed`,
      );
    else if (value !== null && typeof value === 'object' && !isSecretRef(value))
      problems.push(
        `parameter "${name}" must be a string, number or boolean (or, for a secret parameter, {"secretRef": {"name": "<Secret>", "key": "<key>"}}), got ${quoted(value)}`,
      );
  }
  return problems;
}

/** What is wrong with the options that say how a run meets failures and approvals. */
function runOptionProblems(fields: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { onActionFailure, decisionTimeout, approveBefore, compensate } = fields;
  if (onActionFailure !== undefined && !Object.values(OnActionFailure).includes(onActionFailure as OnActionFailure))
    problems.push(`"onActionFailure" must be "fail" or "wait", got ${quoted(onActionFailure)}`);
  if (decisionTimeout !== undefined && (typeof decisionTimeout !== 'string' || !duration.test(decisionTimeout)))
    problems.push(`"decisionTimeout" must be a duration such as "30m", "24h" or "7d", got ${quoted(decisionTimeout)}`);
  if (
    approveBefore !== undefined &&
    (!Array.isArray(approveBefore) || approveBefore.some((mode) => !modes.includes(mode as Mode)))
  )
    problems.push(`"approveBefore" must list modes (${modes.join(', ')}), got ${quoted(approveBefore)}`);
  if (compensate !== undefined && typeof compensate !== 'boolean') problems.push('"compensate" must be true or false');
  return problems;
}

/** Lists what is wrong with a hook input; empty when it is well formed. */
function inputShapeProblems(hook: Hook, input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [
      `the ${hook} input must be a JSON object such as {"deploymentId": "shop", "driver": "example-app", "namespace": "shop"}`,
    ];
  }
  if (depthOf(input) > inputLimits.depth) return [`the ${hook} input nests deeper than ${inputLimits.depth} levels`];
  const size = JSON.stringify(input).length;
  if (size > inputLimits.inputBytes)
    return [`the ${hook} input is ${kib(size)}, at most ${kib(inputLimits.inputBytes)} is allowed`];
  const fields = input as Record<string, unknown>;
  const problems: string[] = [];
  const label = (name: string, max: number) => {
    const value = fields[name];
    if (typeof value !== 'string' || value === '')
      problems.push(`"${name}" is required and must be a non-empty string`);
    else if (value.length > max || !dnsLabel.test(value))
      problems.push(
        `"${name}" must be a DNS label (lowercase letters, digits and '-', at most ${max} characters), got ${quoted(value)}`,
      );
  };
  label('deploymentId', 53);
  label('namespace', 63);
  if (typeof fields.driver !== 'string' || fields.driver === '')
    problems.push('"driver" is required: the metadata.name of a driver');
  else if (fields.driver.length > inputLimits.name)
    problems.push(`"driver" is longer than ${inputLimits.name} characters: ${quoted(fields.driver)}`);
  for (const name of ['driverVersion', 'version', 'targetVersion']) {
    const value = fields[name];
    if (value !== undefined && typeof value !== 'string') problems.push(`"${name}" must be a string such as "1.2.0"`);
    else if (typeof value === 'string' && value.length > inputLimits.version)
      problems.push(`"${name}" is longer than ${inputLimits.version} characters: ${quoted(value)}`);
  }
  if (hook === 'upgrade' && typeof fields.targetVersion !== 'string')
    problems.push('"targetVersion" is required for an upgrade');
  if (fields.allowDowngrade !== undefined && typeof fields.allowDowngrade !== 'boolean')
    problems.push('"allowDowngrade" must be true or false');
  problems.push(...runOptionProblems(fields));
  for (const name of ['parameters', 'config']) {
    const value = fields[name];
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
      problems.push(`"${name}" must be a JSON object`);
  }
  if (typeof fields.parameters === 'object' && fields.parameters !== null)
    problems.push(...parameterProblems(fields.parameters as Record<string, unknown>));
  const configSize = fields.config === undefined ? 0 : JSON.stringify(fields.config).length;
  if (configSize > inputLimits.configBytes)
    problems.push(`"config" is ${kib(configSize)}, at most ${kib(inputLimits.configBytes)} is allowed`);
  for (const name of Object.keys(fields))
    if (!known[hook].includes(name))
      problems.push(`unknown field ${quoted(name)} (a ${hook} input has: ${known[hook].join(', ')})`);
  return problems;
}

/** Fails the run without retry when the input is malformed; the message lists at most 10 problems. */
export function assertInputShape(hook: Hook, input: unknown): void {
  const problems = inputShapeProblems(hook, input);
  if (problems.length === 0) return;
  const shown = problems.slice(0, 10);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  throw ApplicationFailure.create({
    type: FailureType.InvalidInput,
    nonRetryable: true,
    message: `invalid ${hook} input: ${shown.join('; ')}${more}`,
    details: [{ hook, problems: shown }],
  });
}
