/**
 * The "Spec fields" section: every field of driver.styrmin.yml, read from its JSON Schema
 * (driver-spec/schema.json), nested objects and arrays of objects included.
 */
import { code, table } from './markdown.js';

/** The part of JSON Schema that driver-spec/schema.ts uses. */
interface Schema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  description?: string;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  minProperties?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
}

/**
 * Keywords the table renders. Any other one (`$ref`, `oneOf`, ...) stops the generator rather than
 * being left out of the reference without a word.
 */
const renderedKeywords = new Set([
  ...['$schema', '$id', 'title', 'type', 'const', 'enum', 'description', 'default', 'pattern'],
  ...['minimum', 'maximum', 'minLength', 'minItems', 'minProperties'],
  ...['properties', 'required', 'additionalProperties', 'propertyNames', 'items'],
]);

/** The schema of a map's values, when the object is a map (`additionalProperties` with a schema). */
const mapValues = (schema: Schema): Schema | undefined =>
  typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;

const isObject = (schema: Schema | undefined): schema is Schema =>
  schema !== undefined && (schema.type === 'object' || schema.properties !== undefined);

/** The field's type in words: `string`, `string | number`, `array of object`, `map of string`. */
function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return typeof schema.const;
  if (schema.enum) return [...new Set(schema.enum.map((value) => typeof value))].join(' | ');
  if (schema.type === 'array') return schema.items ? `array of ${typeOf(schema.items)}` : 'array';
  const values = mapValues(schema);
  if (values && !schema.properties) return `map of ${typeOf(values)}`;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}

const atLeast = (count: number, one: string, many: string) => `at least ${count} ${count === 1 ? one : many}`;

/** What values the field takes beyond its type: constant, enum, pattern, bounds, sizes. */
function allowedOf(schema: Schema): string {
  const allowed: string[] = [];
  if (schema.const !== undefined) allowed.push(code(String(schema.const)));
  if (schema.enum) allowed.push(schema.enum.map((value) => code(String(value))).join(', '));
  if (schema.pattern) allowed.push(`pattern ${code(schema.pattern)}`);
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    allowed.push(`${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}`);
  if (schema.minLength !== undefined) allowed.push(atLeast(schema.minLength, 'character', 'characters'));
  if (schema.minItems !== undefined) allowed.push(atLeast(schema.minItems, 'item', 'items'));
  if (schema.minProperties !== undefined) allowed.push(atLeast(schema.minProperties, 'entry', 'entries'));
  if (schema.propertyNames?.pattern) allowed.push(`names: pattern ${code(schema.propertyNames.pattern)}`);
  if (isObject(schema) && schema.properties && schema.additionalProperties === undefined)
    allowed.push('other keys allowed');
  return allowed.join('; ');
}

function checkKeywords(schema: Schema, path: string): void {
  const unknown = Object.keys(schema).filter((keyword) => !renderedKeywords.has(keyword));
  if (unknown.length > 0)
    throw new Error(
      `driver reference: schema keyword(s) ${unknown.join(', ')} at ${path || 'the root'} are not rendered; ` +
        'teach driver-spec/reference/spec-fields.ts to show them',
    );
}

/** One table row per field under `schema`, depth first in the schema's order. */
function rows(schema: Schema, path: string): string[][] {
  checkKeywords(schema, path);
  const found: string[][] = [];
  const field = (child: Schema, childPath: string, required: boolean) => {
    const fallback = child.default === undefined ? '' : code(JSON.stringify(child.default));
    found.push([
      code(childPath),
      typeOf(child),
      required ? 'yes' : 'no',
      fallback,
      allowedOf(child),
      child.description ?? '',
    ]);
    found.push(...rows(child, childPath));
  };
  const prefix = path ? `${path}.` : '';
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    field(child, `${prefix}${name}`, schema.required?.includes(name) ?? false);
  const values = mapValues(schema);
  if (isObject(values)) field(values, `${prefix}<name>`, false);
  if (isObject(schema.items)) found.push(...rows(schema.items, `${path}[]`));
  return found;
}

/** The section's Markdown, from the parsed driver-spec/schema.json. */
export function specFieldsSection(schema: object): string {
  const root = schema as Schema;
  return [
    '## Spec fields',
    'Every field of `driver.styrmin.yml`, from its JSON Schema, [driver-spec/schema.json](../driver-spec/schema.json). ' +
      "A field path's `[]` " +
      'stands for each item of a list, `<name>` for each key of a map. `npx styrmin validate <driver folder>` ' +
      'reports every problem of a driver as `file:line:column: field: message`.',
    table(['Field', 'Type', 'Required', 'Default', 'Allowed', 'Description'], rows(root, '')),
  ].join('\n\n');
}
