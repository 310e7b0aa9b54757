/**
 * `parameters.generated.ts`: each parameter kind becomes its TypeScript type, the text is stable,
 * and the example drivers' generated files match their specs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadDriver } from '../../driver-spec/load.js';
import { parameterTypesSource, writeParameterTypes } from '../../driver-spec/parameter-types.js';
import type { DriverSpec, ParameterSpec } from '../../driver-spec/types.js';
import { driverFolder, removeTempFolders, repoRoot } from './helpers.js';

afterAll(removeTempFolders);

const specWith = (parameters: ParameterSpec[] | undefined): DriverSpec => ({
  apiVersion: 'styrmin.io/v1',
  kind: 'ApplicationDriver',
  metadata: { name: 'typed' },
  spec: { version: '1', supported_versions: '>=1.0', ...(parameters ? { parameters } : {}) },
});

/** The body of `export type Parameters = { ... }`, one trimmed line each. */
function fields(parameters: ParameterSpec[]): string[] {
  const source = parameterTypesSource(specWith(parameters));
  const body = /export type Parameters = \{\n([\s\S]*?)\n\};/.exec(source);
  if (!body) throw new Error(`no Parameters type in:\n${source}`);
  return body[1]!.split('\n').map((line) => line.trim());
}

describe('parameterTypesSource', () => {
  it('types an integer as number and says its range and default', () => {
    expect(fields([{ name: 'replicas', kind: 'integer', label: 'Replicas', default: 1, min: 1, max: 10 }])).toEqual([
      '/**',
      '* Replicas.',
      '* From 1 to 10.',
      '* @default 1',
      '*/',
      'replicas: number;',
    ]);
  });

  it('types a string as string and a boolean as boolean, each required', () => {
    expect(
      fields([
        { name: 'queue', kind: 'string' },
        { name: 'metrics', kind: 'boolean', default: false },
      ]),
    ).toEqual(['queue: string;', '/** @default false */', 'metrics: boolean;']);
  });

  it('types an enum as the union of its values, numbers and booleans unquoted, each once', () => {
    expect(fields([{ name: 'level', kind: 'enum', values: ['debug', "it's", 3, true, 'debug'] }])).toEqual([
      "level: 'debug' | 'it\\'s' | 3 | true;",
    ]);
  });

  it('types a secret parameter as string, whatever its kind: actions see the mask', () => {
    expect(fields([{ name: 'pin', kind: 'integer', secret: true, default: 1234, description: 'The PIN.' }])).toEqual([
      '/**',
      '* The PIN.',
      '* Secret: reads as the mask "********" here; `readSecretParameter(\'pin\')` gives the value.',
      '*/',
      'pin: string;',
    ]);
  });

  it('quotes names that are not identifiers and keeps spec text from closing the comment', () => {
    expect(
      fields([{ name: 'log-format', kind: 'string', label: 'Format */ oops', description: 'Two\nlines' }]),
    ).toEqual(['/** Format *\\/ oops. Two lines. */', "'log-format': string;"]);
  });

  it('gives an empty type, where every name is an error, to a driver without parameters', () => {
    const source = parameterTypesSource(specWith(undefined));
    expect(source).toContain('export type Parameters = Record<never, never>;');
    expect(parameterTypesSource(specWith([]))).toBe(source);
  });

  it('writes the header, the import of ActionInput and the Input type', () => {
    const spec = specWith([{ name: 'replicas', kind: 'integer' }]);
    const source = parameterTypesSource(spec);
    expect(source.split('\n').slice(0, 3)).toEqual([
      '// Generated from driver.styrmin.yml by `styrmin driver types <dir>`: do not edit.',
      '// Run it again after changing spec.parameters; `styrmin validate` warns when this file is out of date.',
      "import type { ActionInput } from 'styrmin/actions';",
    ]);
    expect(source).toMatch(/\nexport type Input = ActionInput<Parameters>;\n$/);
  });
});

describe('writeParameterTypes', () => {
  const spec = `apiVersion: styrmin.io/v1
kind: ApplicationDriver
metadata: { name: typed }
spec:
  version: "1"
  supported_versions: ">=1.0"
  parameters:
    - { name: replicas, kind: integer, default: 2 }
`;

  it('writes parameters.generated.ts into the driver folder, then leaves it alone while the spec is unchanged', async () => {
    const dir = await driverFolder(spec);
    const first = await writeParameterTypes(dir);
    expect(first).toEqual({ file: path.join(dir, 'parameters.generated.ts'), changed: true });
    expect(await readFile(first.file, 'utf8')).toBe(parameterTypesSource((await loadDriver(dir)).spec));
    expect(await writeParameterTypes(dir)).toEqual({ file: first.file, changed: false });
  });

  it('refuses a driver that does not load', async () => {
    const dir = await driverFolder(spec.replace('kind: integer', 'kind: float'));
    await expect(writeParameterTypes(dir)).rejects.toThrow(/must be one of string, integer, boolean, enum/);
  });
});

describe('the example drivers', () => {
  it.each(['drivers/example-app', 'drivers/second-app'])(
    '%s has an up-to-date parameters.generated.ts',
    async (dir) => {
      const driver = await loadDriver(path.join(repoRoot, dir));
      const onDisk = await readFile(path.join(driver.dir, 'parameters.generated.ts'), 'utf8').catch(() => '(missing)');
      if (onDisk !== parameterTypesSource(driver.spec)) {
        throw new Error(
          `${dir}/parameters.generated.ts is out of date with its spec: run \`npx styrmin driver types ${dir}\``,
        );
      }
    },
  );
});
