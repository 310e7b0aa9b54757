/**
 * Hook input against a driver: versions in range, parameters known, typed and complete,
 * defaults applied, and every problem a sentence an operator can act on; setup on a driver
 * without default_version needs an explicit version.
 */
import { loadDriver } from '../../driver-spec/load.js';
import type { DriverSpec } from '../../driver-spec/types.js';
import { validateHookInput } from '../../driver-spec/validate-input.js';
import { repoRoot, specFixture } from './helpers.js';

let spec: DriverSpec;

beforeAll(async () => {
  spec = (await loadDriver(`${repoRoot}drivers/example-app`)).spec;
});

describe('validateHookInput', () => {
  it('applies the default version and every parameter default on setup', () => {
    expect(validateHookInput(spec, 'setup', {})).toEqual({
      version: '1.0.0',
      parameters: { replicas: 1, log_level: 'info', admin_password: '', enable_metrics: false },
      problems: [],
    });
  });

  it('keeps given values, reading integer and boolean text as the CLI passes them', () => {
    const result = validateHookInput(spec, 'upgrade', {
      targetVersion: '2.1',
      parameters: { replicas: '3', enable_metrics: 'true', log_level: 'debug', admin_password: 's3cret' },
    });
    expect(result).toEqual({
      version: '2.1',
      parameters: { replicas: 3, log_level: 'debug', admin_password: 's3cret', enable_metrics: true },
      problems: [],
    });
  });

  it('rejects a version outside supported_versions, naming the range', () => {
    expect(validateHookInput(spec, 'upgrade', { targetVersion: '3.0.0' }).problems).toEqual([
      'version 3.0.0 is not supported by driver example-app 1: supported versions are >=1.0,<3.0',
    ]);
    expect(validateHookInput(spec, 'setup', { version: 'latest' }).problems).toEqual([
      'version "latest" is not a version number: write it like 1.2.0 (driver example-app 1 supports >=1.0,<3.0)',
    ]);
  });

  it('rejects a blank setup version, naming the default that leaving it out installs', () => {
    expect(validateHookInput(spec, 'setup', { version: '' }).problems).toEqual([
      '"version" must not be empty: give the application version to install, or leave it out to install 1.0.0 (driver example-app 1 supports >=1.0,<3.0)',
    ]);
  });

  it('requires a target version on upgrade', () => {
    expect(validateHookInput(spec, 'upgrade', {}).problems).toEqual([
      'targetVersion is required for an upgrade: give the application version to move to (driver example-app 1 supports >=1.0,<3.0)',
    ]);
  });

  it('reports every parameter problem at once, each naming the parameter and what is allowed', () => {
    const result = validateHookInput(spec, 'setup', {
      parameters: { replicas: 1.5, log_level: 'verbose', enable_metrics: 'yes', replica: 2 },
    });
    expect(result.problems).toEqual([
      'parameter "replicas" must be a whole number, got 1.5',
      'parameter "log_level" must be one of debug, info, warning, got "verbose"',
      'parameter "enable_metrics" must be true or false, got "yes"',
      'unknown parameter "replica": did you mean "replicas"? driver example-app takes: replicas, log_level, admin_password, enable_metrics',
    ]);
  });

  it('requires parameters without a default and never echoes a secret value', () => {
    const strict: DriverSpec = {
      ...spec,
      spec: {
        ...spec.spec,
        parameters: [
          { name: 'token', kind: 'string', secret: true },
          { name: 'tier', kind: 'enum', values: ['small', 'large'] },
        ],
      },
    };
    expect(validateHookInput(strict, 'setup', {}).problems).toEqual([
      'parameter "token" is required (no default): give a string',
      'parameter "tier" is required (no default): give one of small, large',
    ]);
    const wrong = validateHookInput(strict, 'setup', { parameters: { token: 12345, tier: 'large' } });
    expect(wrong.problems).toEqual(['parameter "token" must be a string, got a secret number']);
    expect(wrong.problems.join(' ')).not.toContain('12345');
  });
});

describe('validateHookInput on a driver without default_version', () => {
  let noDefault: DriverSpec;

  beforeAll(async () => {
    noDefault = (await loadDriver(specFixture('original-no-default-version'))).spec;
  });

  it('requires a version on setup, saying the driver has no default and what it supports', () => {
    const missing = '"version" is required: driver wikiforge@3 has no default_version (it supports ">=2.4,<3.0")';
    expect(validateHookInput(noDefault, 'setup', {})).toEqual({
      version: '',
      parameters: { web_replicas: 1, site_name: 'Wiki', search_language: 'english' },
      problems: [missing],
    });
    expect(validateHookInput(noDefault, 'setup', { version: '  ' }).problems).toEqual([missing]);
  });

  it('accepts setup with an explicit supported version and still checks it against the range', () => {
    expect(validateHookInput(noDefault, 'setup', { version: '2.6.1' })).toEqual({
      version: '2.6.1',
      parameters: { web_replicas: 1, site_name: 'Wiki', search_language: 'english' },
      problems: [],
    });
    expect(validateHookInput(noDefault, 'setup', { version: '3.0' }).problems).toEqual([
      'version 3.0 is not supported by driver wikiforge 3: supported versions are >=2.4,<3.0',
    ]);
  });

  it('checks upgrades as before: the target version is what counts', () => {
    expect(validateHookInput(noDefault, 'upgrade', { targetVersion: '2.5' }).problems).toEqual([]);
    expect(validateHookInput(noDefault, 'upgrade', {}).problems).toEqual([
      'targetVersion is required for an upgrade: give the application version to move to (driver wikiforge 3 supports >=2.4,<3.0)',
    ]);
  });
});
