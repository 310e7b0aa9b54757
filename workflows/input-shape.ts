/**
 * The shape checks of a hook's input, done in the workflow before anything else runs, so a typo
 * in a `temporal workflow start --input` fails at once with a message saying what to fix.
 * (What depends on the driver, such as parameters and versions, is checked when the run is prepared.)
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../contract/failures.js';
import type { Hook } from '../contract/lifecycle.js';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const known: Record<Hook, string[]> = {
  setup: ['deploymentId', 'driver', 'driverVersion', 'namespace', 'parameters', 'config', 'version'],
  upgrade: ['deploymentId', 'driver', 'driverVersion', 'namespace', 'parameters', 'config', 'targetVersion', 'allowDowngrade'],
};

/** Lists what is wrong with a hook input; empty when it is well formed. */
function inputShapeProblems(hook: Hook, input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [`the ${hook} input must be a JSON object such as {"deploymentId": "shop", "driver": "example-app", "namespace": "shop"}`];
  }
  const fields = input as Record<string, unknown>;
  const problems: string[] = [];
  const label = (name: string, max: number) => {
    const value = fields[name];
    if (typeof value !== 'string' || value === '') problems.push(`"${name}" is required and must be a non-empty string`);
    else if (value.length > max || !dnsLabel.test(value))
      problems.push(`"${name}" must be a DNS label (lowercase letters, digits and '-', at most ${max} characters), got "${value}"`);
  };
  label('deploymentId', 53);
  label('namespace', 63);
  if (typeof fields.driver !== 'string' || fields.driver === '') problems.push('"driver" is required: the metadata.name of a driver');
  for (const name of ['driverVersion', 'version', 'targetVersion'])
    if (fields[name] !== undefined && typeof fields[name] !== 'string') problems.push(`"${name}" must be a string such as "1.2.0"`);
  if (hook === 'upgrade' && typeof fields.targetVersion !== 'string') problems.push('"targetVersion" is required for an upgrade');
  if (fields.allowDowngrade !== undefined && typeof fields.allowDowngrade !== 'boolean') problems.push('"allowDowngrade" must be true or false');
  for (const name of ['parameters', 'config']) {
    const value = fields[name];
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
      problems.push(`"${name}" must be a JSON object`);
  }
  for (const name of Object.keys(fields))
    if (!known[hook].includes(name)) problems.push(`unknown field "${name}" (a ${hook} input has: ${known[hook].join(', ')})`);
  return problems;
}

/** Fails the run without retry when the input is malformed. */
export function assertInputShape(hook: Hook, input: unknown): void {
  const problems = inputShapeProblems(hook, input);
  if (problems.length === 0) return;
  throw ApplicationFailure.create({
    type: FailureType.InvalidInput,
    nonRetryable: true,
    message: `invalid ${hook} input: ${problems.join('; ')}`,
    details: [{ hook, problems }],
  });
}
