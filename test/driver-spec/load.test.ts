/**
 * Loading valid drivers: original-format specs load unchanged (default_version optional), versions keep their text,
 * unknown fields are warnings, folders of drivers load together and clash on name + version.
 */
import { cp, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { loadDriver, loadDrivers } from '../../driver-spec/load.js';
import { DriverSpecError } from '../../driver-spec/problems.js';
import { driverFolder, removeTempFolders, repoRoot, specFixture, tempFolder } from './helpers.js';

const minimal = (name: string, version: string, extra = '') => `apiVersion: styrmin.io/v1
kind: ApplicationDriver
metadata:
  name: ${name}
spec:
  version: "${version}"
  supported_versions: ">=1.0"
  default_version: "1.0.0"
  helm:
    main: { location: "https://charts.example.com", version: "1.0.0" }
${extra}`;

async function loadError(load: Promise<unknown>): Promise<DriverSpecError> {
  const error = await load.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DriverSpecError)) throw new Error(`expected a DriverSpecError, got ${String(error)}`);
  return error;
}

afterAll(removeTempFolders);

describe('loadDriver', () => {
  it('loads a driver written in the original format, without actions, unchanged', async () => {
    const dir = specFixture('original-no-actions');
    const driver = await loadDriver(dir);
    const text = await readFile(path.join(dir, 'driver.styrmin.yml'), 'utf8');
    expect(driver.spec).toEqual(parse(text));
    expect(driver).toMatchObject({
      name: 'netgraph',
      version: '3',
      dir,
      specFile: path.join(dir, 'driver.styrmin.yml'),
      warnings: [],
    });
    expect(driver.actionsFile).toBeUndefined();
    expect(driver.spec.spec.info?.description).toMatch(
      /^Netgraph is a graph-based source of truth .* from the upstream chart\.$/,
    );
    expect(driver.spec.spec.parameters?.find((p) => p.name === 'initial_admin_password')?.default).toBe('');
  });

  it('loads an original-format driver without default_version, with no error or warning about it', async () => {
    const dir = specFixture('original-no-default-version');
    const driver = await loadDriver(dir);
    const text = await readFile(path.join(dir, 'driver.styrmin.yml'), 'utf8');
    expect(driver.spec).toEqual(parse(text));
    expect(driver).toMatchObject({ name: 'wikiforge', version: '3', warnings: [] });
    expect(driver.spec.spec.default_version).toBeUndefined();
    expect(driver.actionsFile).toBeUndefined();
  });

  it('keeps the source text of unquoted versions and finds every export form of the action module', async () => {
    const dir = specFixture('valid-with-actions');
    const driver = await loadDriver(dir);
    expect(driver.version).toBe('7');
    expect(driver.spec.spec.default_version).toBe('1.10');
    expect(driver.spec.spec.helm?.main.version).toBe('0.10');
    expect(driver.actionsFile).toBe(path.join(dir, 'actions.ts'));
    expect(driver.warnings).toEqual([]);
  });

  it('reports unknown fields as warnings with their place and loads the driver', async () => {
    const dir = await driverFolder(
      minimal(
        'extra-fields',
        '1',
        '  colour: blue\n  parameters:\n    - name: a\n      kind: string\n      defualt: x\n',
      ),
    );
    const driver = await loadDriver(dir);
    expect(driver.warnings.map(({ line, path: at, severity }) => ({ line, at, severity }))).toEqual([
      { line: 11, at: 'spec.colour', severity: 'warning' },
      { line: 15, at: 'spec.parameters[0].defualt', severity: 'warning' },
    ]);
    expect(driver.warnings[1]!.message).toBe('unknown field "defualt" is ignored; did you mean "default"?');
  });

  it('warns about values on a non-enum parameter and about a driver without a chart', async () => {
    const spec = minimal(
      'no-chart',
      '1',
      '  parameters:\n    - { name: size, kind: string, values: [s, m], default: s }\n',
    ).replace('  helm:\n    main: { location: "https://charts.example.com", version: "1.0.0" }\n', '');
    const driver = await loadDriver(await driverFolder(spec));
    expect(driver.warnings.map(({ path: at, message }) => `${at}: ${message}`)).toEqual([
      'spec: no helm.main chart: the core mode runs nothing unless the driver declares a core action',
      'spec.parameters[0].values: "values" is ignored: parameter "size" is of kind string, not enum',
    ]);
  });

  it('accepts min and max on integer parameters and refuses them where they cannot hold', async () => {
    const bounded = minimal(
      'bounded',
      '1',
      '  parameters:\n    - { name: replicas, kind: integer, default: 2, min: 1, max: 10 }\n',
    );
    const driver = await loadDriver(await driverFolder(bounded));
    expect(driver.spec.spec.parameters?.[0]).toMatchObject({ min: 1, max: 10 });
    const broken = minimal(
      'broken-bounds',
      '1',
      [
        '  parameters:',
        '    - { name: size, kind: string, min: 1 }',
        '    - { name: workers, kind: integer, min: 5, max: 2 }',
        '    - { name: shards, kind: integer, default: 0, min: 1 }',
        '',
      ].join('\n'),
    );
    const error = await loadError(loadDriver(await driverFolder(broken)));
    expect(error.message).toContain(
      'spec.parameters[0].min: "min" and "max" apply to integer parameters; "size" is of kind string',
    );
    expect(error.message).toContain('spec.parameters[1].min: parameter "workers" has min 5 above max 2');
    expect(error.message).toContain(
      'spec.parameters[2].default: default of integer parameter "shards" must be at least 1, got 0',
    );
  });

  it('accepts a module that re-exports from a package, warning that the name is not checked there', async () => {
    const actions = `export * from '@example/driver-actions';\n`;
    const extra = '  actions:\n    - { name: go, hook: setup, mode: pre, location: "actions.ts::go" }\n';
    const driver = await loadDriver(await driverFolder(minimal('reexports', '1', extra), { 'actions.ts': actions }));
    expect(driver.warnings).toHaveLength(1);
    expect(driver.warnings[0]!.message).toMatch(/unless it comes from @example\/driver-actions, which is not checked/);
  });
});

describe('loadDrivers', () => {
  it('loads the drivers shipped in drivers/ with their action modules', async () => {
    const drivers = await loadDrivers([path.join(repoRoot, 'drivers')]);
    expect(drivers.map((driver) => [driver.name, driver.version])).toEqual([
      ['example-app', '1'],
      ['second-app', '2'],
    ]);
    for (const driver of drivers) expect(driver.actionsFile).toBe(path.join(driver.dir, 'actions.ts'));
  });

  it('accepts single driver folders, a driver file and folders of drivers, each driver once', async () => {
    const root = await tempFolder();
    await cp(specFixture('valid-with-actions'), path.join(root, 'a'), { recursive: true });
    await cp(specFixture('original-no-actions'), path.join(root, 'b'), { recursive: true });
    await mkdir(path.join(root, 'not-a-driver'));
    const drivers = await loadDrivers([root, path.join(root, 'a'), path.join(root, 'b', 'driver.styrmin.yml')]);
    expect(drivers.map((driver) => driver.name)).toEqual(['fixture-app', 'netgraph']);
  });

  it('loads a driver without default_version next to one with it', async () => {
    const root = await tempFolder();
    await cp(specFixture('original-no-default-version'), path.join(root, 'wikiforge'), { recursive: true });
    await cp(specFixture('original-no-actions'), path.join(root, 'netgraph'), { recursive: true });
    const drivers = await loadDrivers([root]);
    expect(drivers.map((driver) => [driver.name, driver.spec.spec.default_version])).toEqual([
      ['netgraph', '1.2.4'],
      ['wikiforge', undefined],
    ]);
    expect(drivers.flatMap((driver) => driver.warnings)).toEqual([]);
  });

  it('loads two revisions of one driver side by side', async () => {
    const root = await tempFolder();
    await cp(await driverFolder(minimal('twin', '1')), path.join(root, 'twin-1'), { recursive: true });
    await cp(await driverFolder(minimal('twin', '2')), path.join(root, 'twin-2'), { recursive: true });
    expect((await loadDrivers([root])).map((driver) => driver.version)).toEqual(['1', '2']);
  });

  it('rejects two drivers with the same name and version, naming both files', async () => {
    const first = await driverFolder(minimal('twin', '1'));
    const second = await driverFolder(`# the same revision again\n${minimal('twin', '1')}`);
    const error = await loadError(loadDrivers([first, second]));
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]).toMatchObject({
      file: path.join(second, 'driver.styrmin.yml'),
      line: 5,
      path: 'metadata.name',
    });
    expect(error.errors[0]!.message).toContain(`also defined in ${path.join(first, 'driver.styrmin.yml')}`);
  });

  it('reports the problems of every driver and every folder at once', async () => {
    const broken = await driverFolder(minimal('broken', '1').replace('kind: ApplicationDriver', 'kind: Nope'));
    const empty = await tempFolder();
    const missing = path.join(empty, 'does-not-exist');
    const error = await loadError(loadDrivers([specFixture('valid-with-actions'), broken, empty, missing]));
    expect(error.errors.map((problem) => problem.message)).toEqual([
      'must be "ApplicationDriver", got string "Nope"',
      'no driver.styrmin.yml in this folder or its direct subfolders',
      'no such driver folder',
    ]);
  });
});
