/**
 * Checks what an operator passes to `setup` or `upgrade` against the driver: application
 * version in `supported_versions`, parameters known, typed and complete. Applies defaults.
 *
 * Pure (no Node imports): workflow code imports this module.
 */
import { quoted } from '../contract/failures.js';
import type { Hook, ParameterValue } from '../contract/lifecycle.js';
import { closestName } from './similar-names.js';
import type { DriverSpec, ParameterSpec } from './types.js';
import { normalizeVersion, parseVersionRange, versionSatisfies } from './versions.js';

/** The parts of a `SetupInput` or `UpgradeInput` that the driver constrains. */
export interface HookInputValues {
  /** Setup: application version; the driver's `default_version` when omitted, required when it has none. */
  version?: string;
  /** Upgrade: application version to move to. */
  targetVersion?: string;
  parameters?: Record<string, ParameterValue>;
}

/** The checked input: resolved version, parameters with defaults applied, and every problem. */
export interface ValidatedHookInput {
  /** The application version to deploy; empty when none was given and the driver has no default. */
  version: string;
  parameters: Record<string, ParameterValue>;
  /** One sentence per problem, naming the field and what is allowed; empty when the input is valid. */
  problems: string[];
}

const kindText: Record<ParameterSpec['kind'], string> = {
  string: 'a string',
  integer: 'a whole number',
  boolean: 'true or false',
  enum: 'one of the listed values',
};

/** The value converted to the parameter's kind, or undefined when it does not fit. */
function coerce(parameter: ParameterSpec, value: ParameterValue): ParameterValue | undefined {
  switch (parameter.kind) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'integer':
      if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
      return typeof value === 'string' && /^[-+]?\d+$/.test(value.trim()) ? Number(value) : undefined;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return value === 'true' ? true : value === 'false' ? false : undefined;
    case 'enum':
      return (parameter.values ?? []).find((choice) => choice === value || String(choice) === String(value));
  }
}

/** What an integer parameter's `min` and `max` refuse in `value`, if anything. */
function rangeProblem(parameter: ParameterSpec, value: ParameterValue): string | undefined {
  if (typeof value !== 'number') return undefined;
  if (parameter.min !== undefined && value < parameter.min) return `at least ${parameter.min}`;
  if (parameter.max !== undefined && value > parameter.max) return `at most ${parameter.max}`;
  return undefined;
}

function allowedText(parameter: ParameterSpec): string {
  return parameter.kind === 'enum'
    ? `one of ${(parameter.values ?? []).map(String).join(', ')}`
    : kindText[parameter.kind];
}

/** What to ask of an operator who gave no version: names the field and why the driver needs it. */
function missingVersion(spec: DriverSpec, hook: Hook, driver: string): string {
  const range = spec.spec.supported_versions;
  if (hook === 'upgrade')
    return `targetVersion is required for an upgrade: give the application version to move to (${driver} supports ${range})`;
  const fallback = spec.spec.default_version;
  if (fallback === undefined) {
    return `"version" is required: driver ${spec.metadata.name}@${spec.spec.version} has no default_version (it supports "${range}")`;
  }
  return `"version" must not be empty: give the application version to install, or leave it out to install ${fallback} (${driver} supports ${range})`;
}

function checkVersion(spec: DriverSpec, hook: Hook, input: HookInputValues, problems: string[]): string {
  const given =
    hook === 'upgrade' ? (input.targetVersion ?? input.version) : (input.version ?? spec.spec.default_version);
  const range = spec.spec.supported_versions;
  const driver = `driver ${spec.metadata.name} ${spec.spec.version}`;
  if (given === undefined || String(given).trim() === '') {
    problems.push(missingVersion(spec, hook, driver));
    return '';
  }
  const version = String(given).trim();
  if (normalizeVersion(version) === null) {
    problems.push(`version "${version}" is not a version number: write it like 1.2.0 (${driver} supports ${range})`);
  } else {
    try {
      parseVersionRange(range);
      if (!versionSatisfies(version, range))
        problems.push(`version ${version} is not supported by ${driver}: supported versions are ${range}`);
    } catch (error) {
      problems.push(`${driver} has an unreadable supported_versions: ${(error as Error).message}`);
    }
  }
  return version;
}

/**
 * Validates hook input against a driver and applies parameter defaults. `kept` holds values that
 * were checked when they were stored and are taken as they are (a secret parameter's mask).
 */
export function validateHookInput(
  spec: DriverSpec,
  hook: Hook,
  input: HookInputValues,
  kept: Record<string, ParameterValue> = {},
): ValidatedHookInput {
  const problems: string[] = [];
  const version = checkVersion(spec, hook, input, problems);
  const declared = spec.spec.parameters ?? [];
  const given = input.parameters ?? {};
  const parameters: Record<string, ParameterValue> = {};
  for (const parameter of declared) {
    if (Object.hasOwn(kept, parameter.name)) {
      parameters[parameter.name] = kept[parameter.name]!;
      continue;
    }
    const value = Object.hasOwn(given, parameter.name) ? given[parameter.name] : undefined;
    if (value === undefined || value === null) {
      if (parameter.default !== undefined) parameters[parameter.name] = parameter.default;
      else problems.push(`parameter "${parameter.name}" is required (no default): give ${allowedText(parameter)}`);
      continue;
    }
    const shown = parameter.secret ? `a secret ${typeof value}` : quoted(value);
    const coerced = coerce(parameter, value);
    if (coerced === undefined) {
      problems.push(`parameter "${parameter.name}" must be ${allowedText(parameter)}, got ${shown}`);
      continue;
    }
    const outOfRange = rangeProblem(parameter, coerced);
    if (outOfRange) problems.push(`parameter "${parameter.name}" must be ${outOfRange}, got ${shown}`);
    else parameters[parameter.name] = coerced;
  }
  const names = declared.map((parameter) => parameter.name);
  for (const name of Object.keys(given).filter((key) => !names.includes(key))) {
    const suggestion = closestName(name, names);
    const hint = suggestion ? `did you mean "${suggestion}"? ` : '';
    const accepted =
      names.length > 0
        ? `driver ${spec.metadata.name} takes: ${names.join(', ')}`
        : `driver ${spec.metadata.name} takes no parameters`;
    problems.push(`unknown parameter ${quoted(name)}: ${hint}${accepted}`);
  }
  return { version, parameters, problems };
}
