/**
 * A driver's parameters as a TypeScript type: `parameters.generated.ts` in the driver folder,
 * generated from `spec.parameters`, so that `parameters.replicas` is a number in the driver's
 * actions and a misspelt name fails type-checking.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadDriver } from './load.js';
import type { DriverSpec, ParameterSpec } from './types.js';

/** File name of the generated module inside a driver folder. */
export const parameterTypesFileName = 'parameters.generated.ts';

/** A single-quoted TypeScript string literal (the project's quote style). */
function quote(value: string): string {
  const escaped = JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}

const literal = (value: string | number | boolean): string =>
  typeof value === 'string' ? quote(value) : String(value);

const propertyName = (name: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name));

/**
 * The type of a parameter's value as actions receive it. Every declared parameter is present:
 * the input check applies defaults and refuses a run that leaves one without a value
 * (driver-spec/validate-input.ts), and converts each value to its kind (an enum to the listed
 * choice itself, number or string). A secret parameter reads as the mask, a string, whatever its kind.
 */
function valueType(parameter: ParameterSpec): string {
  if (parameter.secret) return 'string';
  switch (parameter.kind) {
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'enum': {
      const choices = [...new Set((parameter.values ?? []).map(literal))];
      return choices.length > 0 ? choices.join(' | ') : 'never';
    }
  }
}

/** JSDoc lines of one parameter: its label and description, its kind's limits, default, secrecy. */
function docLines(parameter: ParameterSpec): string[] {
  const prose = [parameter.label, parameter.description]
    .filter((part): part is string => part !== undefined && part.trim() !== '')
    .map((part) => part.trim().replace(/\s*\n\s*/g, ' '))
    .map((part) => (/[.!?:]$/.test(part) ? part : `${part}.`));
  const lines = prose.length > 0 ? [prose.join(' ')] : [];
  const { min, max } = parameter;
  if (min !== undefined && max !== undefined) lines.push(`From ${min} to ${max}.`);
  else if (min !== undefined) lines.push(`At least ${min}.`);
  else if (max !== undefined) lines.push(`At most ${max}.`);
  if (parameter.secret) {
    lines.push(
      `Secret: reads as the mask "********" here; \`readSecretParameter(${quote(parameter.name)})\` gives the value.`,
    );
  }
  if (parameter.default !== undefined && !parameter.secret) lines.push(`@default ${JSON.stringify(parameter.default)}`);
  // A `*/` in spec text would end the comment early.
  return lines.map((line) => line.replace(/\*\//g, '*\\/'));
}

function docComment(lines: string[], indent: string): string[] {
  if (lines.length === 0) return [];
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((line) => `${indent} * ${line}`), `${indent} */`];
}

/** Source of `parameters.generated.ts` for a driver spec: the same spec always gives the same text. */
export function parameterTypesSource(spec: DriverSpec): string {
  const parameters = spec.spec.parameters ?? [];
  const name = spec.metadata.name;
  const body =
    parameters.length === 0
      ? // `{}` would read as "any object" to the linter; this is the same empty type, where any name is an error.
        ['/** The driver declares no parameters. */', 'export type Parameters = Record<never, never>;']
      : [
          `/** The parameters of ${name} as every action receives them: each one declared, defaults applied. */`,
          // A type alias, not an interface: only an object literal type fits ActionInput's Record constraint.
          'export type Parameters = {',
          ...parameters.flatMap((parameter) => [
            ...docComment(docLines(parameter), '  '),
            `  ${propertyName(parameter.name)}: ${valueType(parameter)};`,
          ]),
          '};',
        ];
  return [
    `// Generated from driver.styrmin.yml by \`styrmin driver types <dir>\`: do not edit.`,
    '// Run it again after changing spec.parameters; `styrmin validate` warns when this file is out of date.',
    "import type { ActionInput } from 'styrmin/actions';",
    '',
    ...body,
    '',
    `/** What each action of ${name} receives: \`export async function smokeTest({ parameters }: Input)\`. */`,
    'export type Input = ActionInput<Parameters>;',
    '',
  ].join('\n');
}

/** Outcome of `writeParameterTypes`. */
export interface WrittenParameterTypes {
  /** Absolute path of the generated file. */
  file: string;
  /** False when the file already held exactly this text (it is then left untouched). */
  changed: boolean;
}

/**
 * Loads the driver in `driverDir` and writes its `parameters.generated.ts`; throws
 * `DriverSpecError` when the driver does not load.
 */
export async function writeParameterTypes(driverDir: string): Promise<WrittenParameterTypes> {
  const driver = await loadDriver(driverDir);
  const file = path.join(driver.dir, parameterTypesFileName);
  const source = parameterTypesSource(driver.spec);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === source) return { file, changed: false };
  await writeFile(file, source);
  return { file, changed: true };
}
