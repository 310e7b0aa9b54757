/**
 * Checks a schema cannot express: unique names, references between sections, parameter
 * defaults against their kind, version ranges. Reads the data defensively: it runs on
 * documents that may also have failed the schema, so that every error is reported at once.
 */
import { parseActionLocation, type ActionLocation } from './location.js';
import { normalizeVersion, parseVersionRange, versionSatisfies } from './versions.js';
import type { Finding, PathSegment, Position } from './yaml-source.js';

type Entry = Record<string, unknown>;

const entries = (value: unknown): Array<[number, Entry]> =>
  Array.isArray(value)
    ? value.flatMap((item, index): Array<[number, Entry]> => (isEntry(item) ? [[index, item]] : []))
    : [];
const isEntry = (value: unknown): value is Entry =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** An action whose location parsed, for the file checks that need the disk. */
export interface LocatedAction {
  index: number;
  name: string;
  location: ActionLocation;
}

/** Result of the semantic checks. */
export interface SemanticResult {
  findings: Finding[];
  actions: LocatedAction[];
}

/** Runs every semantic check on parsed driver data. */
export function checkSemantics(data: unknown, locate: (path: PathSegment[]) => Position): SemanticResult {
  const findings: Finding[] = [];
  const spec = isEntry(data) && isEntry(data.spec) ? data.spec : {};
  const error = (path: PathSegment[], message: string) => findings.push({ path, message, severity: 'error' });

  const uniqueNames = (section: string, noun: string) => {
    const seen = new Map<string, number>();
    for (const [index, item] of entries(spec[section])) {
      const name = text(item.name);
      if (name === undefined) continue;
      const first = seen.get(name);
      if (first === undefined) seen.set(name, index);
      else
        error(
          ['spec', section, index, 'name'],
          `${noun} "${name}" is declared twice (first at line ${locate(['spec', section, first]).line})`,
        );
    }
  };
  uniqueNames('actions', 'action');
  uniqueNames('parameters', 'parameter');
  uniqueNames('services', 'service');

  const components = isEntry(spec.components) ? Object.keys(spec.components) : [];
  const checkComponent = (path: PathSegment[], owner: string, name: unknown) => {
    if (typeof name !== 'string' || components.includes(name)) return;
    const declared =
      components.length > 0 ? `declared components: ${components.join(', ')}` : 'the driver declares no components';
    error(path, `${owner} names component "${name}", which is not declared in spec.components (${declared})`);
  };
  for (const [index, service] of entries(spec.services)) {
    checkComponent(
      ['spec', 'services', index, 'component'],
      `service "${text(service.name) ?? index}"`,
      service.component,
    );
  }
  for (const [index, variable] of entries(spec.env_vars)) {
    const names = Array.isArray(variable.components) ? variable.components : [];
    names.forEach((name, at) =>
      checkComponent(['spec', 'env_vars', index, 'components', at], `env var "${text(variable.name) ?? index}"`, name),
    );
  }
  for (const [index, override] of entries(spec.container_overrides)) {
    checkComponent(['spec', 'container_overrides', index, 'component'], 'container override', override.component);
  }

  for (const [index, parameter] of entries(spec.parameters))
    findings.push(...checkParameter(parameter, ['spec', 'parameters', index]));
  findings.push(...checkVersions(spec));

  const actions: LocatedAction[] = [];
  for (const [index, action] of entries(spec.actions)) {
    const location = text(action.location);
    if (location === undefined) continue;
    const parsed = parseActionLocation(location);
    if ('problem' in parsed) error(['spec', 'actions', index, 'location'], parsed.problem);
    else actions.push({ index, name: text(action.name) ?? `#${index}`, location: parsed });
  }
  if (isEntry(data) && isEntry(data.spec) && spec.helm === undefined) {
    findings.push({
      path: ['spec'],
      severity: 'warning',
      message: 'no helm.main chart: the core mode runs nothing unless the driver declares a core action',
    });
  }
  return { findings, actions };
}

function checkParameter(parameter: Entry, path: PathSegment[]): Finding[] {
  const findings: Finding[] = [];
  const name = text(parameter.name) ?? `#${String(path[2])}`;
  const kind = parameter.kind;
  const value = parameter.default;
  const hasDefault = 'default' in parameter && value !== null && value !== undefined;
  const wrongDefault = (expected: string) =>
    findings.push({
      path: [...path, 'default'],
      severity: 'error',
      message: `default of ${String(kind)} parameter "${name}" must be ${expected}, got ${JSON.stringify(value)}`,
    });
  if (kind === 'enum') {
    const values = Array.isArray(parameter.values) ? parameter.values : undefined;
    if (!values) {
      findings.push({
        path: [...path, 'kind'],
        severity: 'error',
        message: `enum parameter "${name}" needs "values", the list of allowed choices`,
      });
    } else if (hasDefault && !values.includes(value)) {
      wrongDefault(`one of ${values.map((choice) => JSON.stringify(choice)).join(', ')}`);
    }
  } else if (parameter.values !== undefined && typeof kind === 'string') {
    findings.push({
      path: [...path, 'values'],
      severity: 'warning',
      message: `"values" is ignored: parameter "${name}" is of kind ${kind}, not enum`,
    });
  }
  const { min, max } = parameter;
  if ((min !== undefined || max !== undefined) && kind !== 'integer') {
    findings.push({
      path: [...path, min !== undefined ? 'min' : 'max'],
      severity: 'error',
      message: `"min" and "max" apply to integer parameters; "${name}" is of kind ${String(kind)}`,
    });
  } else if (typeof min === 'number' && typeof max === 'number' && min > max) {
    findings.push({
      path: [...path, 'min'],
      severity: 'error',
      message: `parameter "${name}" has min ${min} above max ${max}`,
    });
  }
  if (!hasDefault) return findings;
  if (kind === 'integer' && !Number.isInteger(value)) wrongDefault('a whole number (unquoted, e.g. 3)');
  else if (kind === 'integer' && typeof value === 'number') {
    if (typeof min === 'number' && value < min) wrongDefault(`at least ${min}`);
    if (typeof max === 'number' && value > max) wrongDefault(`at most ${max}`);
  }
  if (kind === 'boolean' && typeof value !== 'boolean') wrongDefault('true or false (unquoted)');
  if (kind === 'string' && typeof value !== 'string') wrongDefault(`a string (quote it: "${String(value)}")`);
  return findings;
}

function checkVersions(spec: Entry): Finding[] {
  const range = text(spec.supported_versions);
  const defaultVersion = text(spec.default_version);
  const findings: Finding[] = [];
  if (defaultVersion !== undefined && normalizeVersion(defaultVersion) === null) {
    findings.push({
      path: ['spec', 'default_version'],
      severity: 'error',
      message: `"${defaultVersion}" is not a version (write e.g. "1.2.0")`,
    });
    return findings;
  }
  if (range === undefined) return findings;
  try {
    parseVersionRange(range);
  } catch (error) {
    findings.push({ path: ['spec', 'supported_versions'], severity: 'error', message: (error as Error).message });
    return findings;
  }
  if (defaultVersion !== undefined && !versionSatisfies(defaultVersion, range)) {
    findings.push({
      path: ['spec', 'default_version'],
      severity: 'error',
      message: `default version "${defaultVersion}" is outside supported_versions "${range}"`,
    });
  }
  return findings;
}
