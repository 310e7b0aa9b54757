/**
 * Application version ranges. Drivers write Styrmin's Python-style specifiers (">=2.4,<3.0",
 * "~=2.4", "==1.2.*", "!=1.3") or npm semver ranges ("^1.2", ">=1.0 <2.0"); both become one
 * `semver.Range`. Loose versions such as "1.2" are read as "1.2.0".
 *
 * Pure (no Node imports): workflow code imports this module.
 */
import semver from 'semver';

/** Thrown when a version or a version range cannot be read. */
export class VersionSyntaxError extends Error {
  constructor(
    message: string,
    readonly text: string,
  ) {
    super(message);
    this.name = 'VersionSyntaxError';
  }
}

const looseVersion = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-.]?([0-9A-Za-z][0-9A-Za-z.-]*))?(?:\+([0-9A-Za-z.-]+))?$/;

/** Semver text of a loose version ("1.2" → "1.2.0", "v2" → "2.0.0", "1.0rc1" → "1.0.0-rc1"; build metadata dropped), or null. */
export function normalizeVersion(text: string): string | null {
  const match = looseVersion.exec(String(text).trim());
  if (!match) return null;
  const [, major, minor = '0', patch = '0', pre, build] = match;
  const full = `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}${build ? `+${build}` : ''}`;
  return semver.valid(full);
}

function requireVersion(text: string, context: string): string {
  const version = normalizeVersion(text);
  if (version === null) throw new VersionSyntaxError(`"${text}" is not a version (${context})`, text);
  return version;
}

/** Numeric release parts as written ("1.2" → [1, 2]), used by `~=` and `.*`. */
function releaseParts(text: string): number[] {
  return text
    .split(/[^0-9.]/)[0]!
    .split('.')
    .filter(Boolean)
    .map(Number);
}

/** The smallest version above every version starting with `prefix` ([2, 4] → "2.5.0"). */
function nextAfterPrefix(prefix: number[], whole: string): string {
  const bumped = prefix.map((part, index) => (index === prefix.length - 1 ? part + 1 : part));
  return requireVersion(bumped.join('.'), whole);
}

/** One Python-style clause as alternatives of comparator sets (each inner array is ANDed). */
function pythonClause(clause: string, whole: string): string[][] {
  const match = /^(~=|===|==|!=|<=|>=|<|>)\s*(v?\d\S*)$/.exec(clause);
  if (!match) {
    throw new VersionSyntaxError(
      `"${clause}" in "${whole}" is not a version specifier (use one of ~= == != <= >= < > followed by a version)`,
      whole,
    );
  }
  const [, op, raw] = match as unknown as [string, string, string];
  if (raw.endsWith('.*')) {
    if (op !== '==' && op !== '!=')
      throw new VersionSyntaxError(`"${clause}" in "${whole}": ".*" only goes with == or !=`, whole);
    const prefix = releaseParts(raw.slice(0, -2));
    const low = requireVersion(prefix.join('.'), whole);
    const high = nextAfterPrefix(prefix, whole);
    return op === '==' ? [[`>=${low}`, `<${high}`]] : [[`<${low}`], [`>=${high}`]];
  }
  const version = requireVersion(raw, whole);
  switch (op) {
    case '~=': {
      const parts = releaseParts(raw);
      if (parts.length < 2)
        throw new VersionSyntaxError(`"${clause}" in "${whole}": ~= needs at least two parts, e.g. ~=2.4`, whole);
      return [[`>=${version}`, `<${nextAfterPrefix(parts.slice(0, -1), whole)}`]];
    }
    case '==':
    case '===':
      return [[`=${version}`]];
    case '!=':
      return [[`<${version}`], [`>${version}`]];
    default:
      return [[`${op}${version}`]];
  }
}

/** A comma-separated Python-style specifier as semver range text (disjunctions distributed out). */
function pythonToSemver(text: string): string {
  let alternatives: string[][] = [[]];
  for (const clause of text.split(',').map((part) => part.trim())) {
    if (clause === '') throw new VersionSyntaxError(`"${text}" has an empty clause between commas`, text);
    const options = pythonClause(clause, text);
    alternatives = alternatives.flatMap((set) => options.map((option) => [...set, ...option]));
  }
  return alternatives.map((set) => set.join(' ')).join(' || ');
}

const pythonStyle = /,|~=|==|!=/;

/** Parses a version range written Python-style or as an npm semver range; throws `VersionSyntaxError`. */
export function parseVersionRange(text: string): semver.Range {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new VersionSyntaxError('a version range must be a non-empty text such as ">=1.0,<2.0"', String(text));
  }
  const rangeText = text
    .split('||')
    .map((part) => (pythonStyle.test(part) ? pythonToSemver(part.trim()) : part.trim()))
    .join(' || ');
  try {
    return new semver.Range(rangeText, { loose: true });
  } catch {
    throw new VersionSyntaxError(
      `"${text}" is not a version range (write e.g. ">=1.0,<2.0", "~=2.4", "==1.2.*" or "^1.2")`,
      text,
    );
  }
}

/** True when `version` lies in the range `rangeText`; false for a version that cannot be read. */
export function versionSatisfies(version: string, rangeText: string): boolean {
  const normalized = normalizeVersion(version);
  if (normalized === null) return false;
  return parseVersionRange(rangeText).test(normalized);
}

/** Orders two versions like `semver.compare` (-1, 0, 1); throws `VersionSyntaxError` on unreadable input. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  return semver.compare(requireVersion(a, 'comparing versions'), requireVersion(b, 'comparing versions'));
}
