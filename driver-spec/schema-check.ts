/**
 * Validates parsed driver data against the schema and turns every ajv error into a finding an
 * author can act on. Unknown fields are warnings, never errors.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { driverSchema } from './schema.js';
import { closestName } from './similar-names.js';
import type { Finding, PathSegment } from './yaml-source.js';

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true, strict: true });
const validateDriver = ajv.compile(driverSchema);

/** JSON pointer to path segments; array indexes become numbers by looking at the data. */
function toPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) ? Number(key) : key;
    path.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[segment] : undefined;
  }
  return path;
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

const typeNames: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

function typeMessage(error: ErrorObject, path: PathSegment[]): string {
  const expected = String(error.params.type)
    .split(',')
    .map((type) => typeNames[type] ?? type);
  if (path.length === 0) return 'the document must be a mapping with apiVersion, kind, metadata and spec';
  const hint =
    expected.includes('a string') && typeof error.data === 'number' ? ` (quote it: "${String(error.data)}")` : '';
  return `must be ${expected.join(' or ')}, got ${describeValue(error.data)}${hint}`;
}

function toFinding(error: ErrorObject, data: unknown): Finding | null {
  const path = toPath(error.instancePath, data);
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const suggestion = closestName(field, known);
      const hint = suggestion ? `; did you mean "${suggestion}"?` : `; known fields here: ${known.join(', ')}`;
      return {
        path: [...path, field],
        atKey: true,
        severity: 'warning',
        message: `unknown field "${field}" is ignored${hint}`,
      };
    }
    case 'required':
      return {
        path: [...path, String(error.params.missingProperty)],
        atKey: true,
        severity: 'error',
        message: 'is required but missing',
      };
    case 'type':
      return { path, severity: 'error', message: typeMessage(error, path) };
    case 'enum':
      return {
        path,
        severity: 'error',
        message: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}, got ${describeValue(error.data)}`,
      };
    case 'const':
      return {
        path,
        severity: 'error',
        message: `must be "${String(error.params.allowedValue)}", got ${describeValue(error.data)}`,
      };
    case 'pattern': {
      const target = error.propertyName === undefined ? path : [...path, error.propertyName];
      const value = error.propertyName ?? error.data;
      return {
        path: target,
        atKey: error.propertyName !== undefined,
        severity: 'error',
        message: `${JSON.stringify(value)} is not valid: expected ${description ?? `text matching ${String(error.params.pattern)}`}`,
      };
    }
    case 'propertyNames':
      return null; // the failing name was already reported by its own pattern error
    case 'minProperties':
      return { path, severity: 'error', message: `must not be empty${description ? `: ${description}` : ''}` };
    case 'minItems':
      return { path, severity: 'error', message: `must list at least ${String(error.params.limit)} value` };
    case 'minLength':
      return { path, severity: 'error', message: 'must not be empty' };
    default:
      return { path, severity: 'error', message: `${error.message ?? 'is invalid'}, got ${describeValue(error.data)}` };
  }
}

/** Schema findings for parsed driver data (errors and unknown-field warnings). */
export function checkSchema(data: unknown): Finding[] {
  if (validateDriver(data)) return [];
  const findings: Finding[] = [];
  for (const error of validateDriver.errors ?? []) {
    const finding = toFinding(error, data);
    if (finding) findings.push(finding);
  }
  return findings;
}
