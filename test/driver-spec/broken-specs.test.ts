/**
 * The corpus of broken driver specs under test/fixtures/specs/broken: each must fail with
 * exactly the expected errors, each pointing at the right line and field.
 */
import { readdir } from 'node:fs/promises';
import { loadDriver } from '../../driver-spec/load.js';
import { DriverSpecError, formatProblem, type SpecProblem } from '../../driver-spec/problems.js';
import { brokenDriverFolder, removeTempFolders, specFixture } from './helpers.js';

interface Expected {
  line: number;
  path: string;
  message: RegExp;
}

const corpus: Record<string, Expected[]> = {
  'bad-yaml-syntax.yml': [
    {
      line: 25,
      path: '',
      message: /^YAML: Flow sequence in block collection must be sufficiently indented and end with a \]/,
    },
    { line: 25, path: '', message: /^YAML: / },
    { line: 25, path: '', message: /^YAML: / },
  ],
  'wrong-api-version.yml': [
    { line: 1, path: 'apiVersion', message: /must be "styrmin\.io\/v1", got string "styrmin\.io\/v2"/ },
  ],
  'wrong-kind.yml': [{ line: 2, path: 'kind', message: /must be "ApplicationDriver", got string "Driver"/ }],
  'missing-metadata-name.yml': [{ line: 4, path: 'metadata.name', message: /is required but missing/ }],
  'missing-spec.yml': [{ line: 1, path: 'spec', message: /is required but missing/ }],
  'bad-hook.yml': [
    { line: 38, path: 'spec.actions[1].hook', message: /must be one of setup, upgrade, got string "install"/ },
  ],
  'bad-mode.yml': [
    { line: 35, path: 'spec.actions[0].mode', message: /must be one of pre, core, post, got string "before"/ },
  ],
  'duplicate-action.yml': [
    {
      line: 37,
      path: 'spec.actions[1].name',
      message: /action "check_prerequisites" is declared twice \(first at line 33\)/,
    },
  ],
  'duplicate-parameter.yml': [
    {
      line: 22,
      path: 'spec.parameters[1].name',
      message: /parameter "replicas" is declared twice \(first at line 19\)/,
    },
  ],
  'duplicate-yaml-key.yml': [{ line: 9, path: '', message: /Map keys must be unique/ }],
  'location-without-separator.yml': [
    { line: 40, path: 'spec.actions[1].location', message: /must be "<file>::<function>"/ },
  ],
  'location-outside-driver.yml': [
    { line: 40, path: 'spec.actions[1].location', message: /must lie inside the driver folder/ },
  ],
  'missing-actions-file.yml': [
    {
      line: 36,
      path: 'spec.actions[0].location',
      message: /action module "missing\.ts" does not exist in the driver folder/,
    },
    {
      line: 40,
      path: 'spec.actions[1].location',
      message: /action module "missing\.ts" does not exist in the driver folder/,
    },
  ],
  'actions-in-two-modules.yml': [
    {
      line: 40,
      path: 'spec.actions[1].location',
      message: /all actions of a driver live in one module: "other\.ts" differs from "actions\.ts"/,
    },
  ],
  'function-not-exported.yml': [
    {
      line: 40,
      path: 'spec.actions[1].location',
      message: /does not export a function named "smokeTests"; it exports: checkPrerequisites, smokeTest$/,
    },
  ],
  'export-not-a-function.yml': [
    { line: 40, path: 'spec.actions[1].location', message: /exports "notAFunction", but it is not a function/ },
  ],
  'service-unknown-component.yml': [
    {
      line: 31,
      path: 'spec.services[0].component',
      message: /service "web" names component "frontend", which is not declared .*declared components: server/,
    },
  ],
  'enum-default-not-in-values.yml': [
    {
      line: 25,
      path: 'spec.parameters[1].default',
      message: /enum parameter "log_level" must be one of "debug", "info", got "warning"/,
    },
  ],
  'enum-without-values.yml': [
    { line: 23, path: 'spec.parameters[1].kind', message: /enum parameter "log_level" needs "values"/ },
  ],
  'bad-supported-versions.yml': [
    { line: 7, path: 'spec.supported_versions', message: /"<<2\.0" in ">=1\.0,<<2\.0" is not a version specifier/ },
  ],
  'default-version-outside-range.yml': [
    {
      line: 8,
      path: 'spec.default_version',
      message: /default version "2\.0\.0" is outside supported_versions ">=1\.0,<2\.0"/,
    },
  ],
  'wrong-default-type.yml': [
    {
      line: 21,
      path: 'spec.parameters[0].default',
      message: /integer parameter "replicas" must be a whole number .*got "one"/,
    },
  ],
  'port-as-string.yml': [
    { line: 30, path: 'spec.services[0].port', message: /must be a whole number, got string "8000"/ },
  ],
  'label-value-number.yml': [
    {
      line: 18,
      path: 'spec.components.server.identifier.label["app.kubernetes.io/version"]',
      message: /must be a string, got number 1 \(quote it/,
    },
  ],
  'empty-selector.yml': [{ line: 16, path: 'spec.components.server.identifier.label', message: /must not be empty/ }],
  'bad-timeout.yml': [
    {
      line: 13,
      path: 'spec.helm.timeout',
      message: /"ten minutes" is not valid: expected .*duration such as "90s" or "10m"/,
    },
    { line: 14, path: 'spec.helm.on_failure', message: /must be one of rollback, keep, got string "retry"/ },
  ],
  'not-a-mapping.yml': [{ line: 1, path: '', message: /the document must be a mapping/ }],
  'empty.yml': [{ line: 1, path: '', message: /the file is empty/ }],
  'several-errors.yml': [
    { line: 2, path: 'kind', message: /must be "ApplicationDriver"/ },
    { line: 21, path: 'spec.parameters[0].default', message: /must be a whole number .*got true/ },
    { line: 31, path: 'spec.services[0].component', message: /names component "frontend"/ },
    { line: 38, path: 'spec.actions[1].hook', message: /must be one of setup, upgrade/ },
  ],
};

async function problemsOf(fixture: string): Promise<{ error: DriverSpecError; errors: SpecProblem[] }> {
  const dir = await brokenDriverFolder(fixture);
  const error = await loadDriver(dir).then(
    () => {
      throw new Error(`${fixture} loaded although it is broken`);
    },
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DriverSpecError)) throw error;
  return { error, errors: error.problems.filter((problem) => problem.severity === 'error') };
}

describe('broken driver specs', () => {
  afterAll(removeTempFolders);

  it('covers every fixture in the corpus', async () => {
    const files = (await readdir(specFixture('broken'))).filter((file) => file.endsWith('.yml'));
    expect(files.sort()).toEqual(Object.keys(corpus).sort());
  });

  it.each(Object.entries(corpus))('%s fails with exactly the expected errors', async (fixture, expected) => {
    const { errors } = await problemsOf(fixture);
    expect(errors.map(({ line, path }) => ({ line, path }))).toEqual(
      expected.map(({ line, path }) => ({ line, path })),
    );
    errors.forEach((problem, index) => {
      expect(problem.message).toMatch(expected[index]!.message);
      expect(problem.column).toBeGreaterThan(0);
      expect(problem.file).toMatch(/driver\.styrmin\.yml$/);
    });
  });

  it('lists every error in the thrown message as file:line:column: path: message', async () => {
    const { error } = await problemsOf('several-errors.yml');
    expect(error.errors).toHaveLength(4);
    for (const problem of error.errors) expect(error.message).toContain(formatProblem(problem));
    expect(error.message).toMatch(
      /driver\.styrmin\.yml:38:13: spec\.actions\[1\]\.hook: must be one of setup, upgrade/,
    );
    expect(error.type).toBe('InvalidDriver');
  });
});
