/**
 * Version ranges: Styrmin's Python-style specifiers and npm ranges, loose versions.
 */
import {
  compareVersions,
  normalizeVersion,
  parseVersionRange,
  versionSatisfies,
  VersionSyntaxError,
} from '../../driver-spec/versions.js';

describe('parseVersionRange', () => {
  it.each([
    ['>=0.1,<1.0', '>=0.1.0 <1.0.0'],
    ['>= 2.4, < 3.0', '>=2.4.0 <3.0.0'],
    ['~=2.4', '>=2.4.0 <3.0.0'],
    ['~=2.4.1', '>=2.4.1 <2.5.0'],
    ['==1.2.*', '>=1.2.0 <1.3.0'],
    ['==1.2', '1.2.0'],
    ['!=1.3', '<1.3.0||>1.3.0'],
    ['!=1.3.*', '<1.3.0||>=1.4.0'],
    ['>=1.0,<3.0,!=1.3', '>=1.0.0 <3.0.0 <1.3.0||>=1.0.0 <3.0.0 >1.3.0'],
    ['^1.2', '>=1.2.0 <2.0.0-0'],
    ['>=1.0 <2.0', '>=1.0.0 <2.0.0-0'],
    ['>=1.0,<2.0 || ==3.1', '>=1.0.0 <2.0.0||3.1.0'],
  ])('reads %s as %s', (text, range) => {
    expect(parseVersionRange(text).range).toBe(range);
  });

  it.each([
    ['', /non-empty/],
    ['latest', /"latest" is not a version range/],
    ['>=1.0,,<2.0', /empty clause between commas/],
    ['>=1.0,<<2.0', /"<<2\.0" in ">=1\.0,<<2\.0" is not a version specifier/],
    ['~=2', /~= needs at least two parts/],
    ['>=1.0,<=2.*', /"\.\*" only goes with == or !=/],
    ['>=1.0,foo', /"foo" in ">=1\.0,foo" is not a version specifier/],
  ])('rejects %j with a clear message', (text, message) => {
    expect(() => parseVersionRange(text)).toThrow(VersionSyntaxError);
    expect(() => parseVersionRange(text)).toThrow(message);
  });
});

describe('versionSatisfies', () => {
  it.each([
    ['1.2', '>=1.0,<3.0', true],
    ['3.0', '>=1.0,<3.0', false],
    ['2.9.9', '~=2.4', true],
    ['3.0.0', '~=2.4', false],
    ['1.2.7', '==1.2.*', true],
    ['1.3.0', '==1.2.*', false],
    ['1.3', '!=1.3', false],
    ['1.3.1', '!=1.3', true],
    ['v1.4.0', '^1.2', true],
    ['3.0.0-rc1', '>=1.0,<3.0', false],
    ['not-a-version', '>=0.0', false],
  ])('%s in %s is %s', (version, range, expected) => {
    expect(versionSatisfies(version, range)).toBe(expected);
  });
});

describe('compareVersions and normalizeVersion', () => {
  it('orders loose versions numerically', () => {
    expect(compareVersions('1.2', '1.10')).toBe(-1);
    expect(compareVersions('2', '2.0.0')).toBe(0);
    expect(compareVersions('1.0.0', '1.0.0-rc1')).toBe(1);
    expect(['1.10', '1.2', '1.9.1'].sort(compareVersions)).toEqual(['1.2', '1.9.1', '1.10']);
  });

  it('throws a VersionSyntaxError naming an unreadable version', () => {
    expect(() => compareVersions('1.0', 'latest')).toThrow('"latest" is not a version');
  });

  it('normalises loose forms to full semver', () => {
    expect(normalizeVersion('1.2')).toBe('1.2.0');
    expect(normalizeVersion('v2')).toBe('2.0.0');
    expect(normalizeVersion('1.0rc1')).toBe('1.0.0-rc1');
    expect(normalizeVersion('2.4.1+build.5')).toBe('2.4.1'); // build metadata plays no part in ordering
    expect(normalizeVersion('latest')).toBeNull();
  });
});
