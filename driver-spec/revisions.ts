/** Choosing among the loaded revisions (`spec.version`) of one driver. */
import type { LoadedDriver } from './check-driver.js';
import { compareVersions, normalizeVersion } from './versions.js';

/** Newest revision first: by version number when both read as versions, else by text. */
function newestFirst(a: LoadedDriver, b: LoadedDriver): number {
  if (normalizeVersion(a.version) && normalizeVersion(b.version)) return compareVersions(b.version, a.version);
  return b.version.localeCompare(a.version);
}

/** The revisions of the driver `name`, newest first. */
export function driverRevisions(drivers: LoadedDriver[], name: string): LoadedDriver[] {
  return drivers.filter((driver) => driver.name === name).sort(newestFirst);
}

/** The exact revision `version` of the driver `name`, or its newest one when `version` is omitted. */
export function findDriverRevision(drivers: LoadedDriver[], name: string, version?: string): LoadedDriver | undefined {
  const revisions = driverRevisions(drivers, name);
  return version === undefined ? revisions[0] : revisions.find((driver) => driver.version === version);
}

/** Why `name` (at `version`, or any) is not among `drivers`, naming the ones there are. */
export function missingDriverMessage(drivers: LoadedDriver[], name: string, version?: string): string {
  const what = version === undefined ? `driver "${name}"` : `driver "${name}" version "${version}"`;
  const known = drivers.map((d) => `${d.name}@${d.version}`).join(', ') || 'none';
  return `this worker has no ${what}; it has: ${known}`;
}
