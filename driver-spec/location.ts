/**
 * Action locations: `"<file>::<function>"`, the file relative to the driver folder.
 *
 * Pure (no Node imports): workflow code imports this module.
 */

/** Where an action's code lives. */
export interface ActionLocation {
  /** Path of the module, relative to the driver folder (as written in the spec). */
  file: string;
  /** Name of the exported function in that module. */
  exportName: string;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Splits `"actions.ts::smokeTest"`; returns an explanation instead when the text is malformed. */
export function parseActionLocation(location: string): ActionLocation | { problem: string } {
  const parts = location.split('::');
  if (parts.length !== 2) {
    return { problem: `location "${location}" must be "<file>::<function>", e.g. "actions.ts::smokeTest"` };
  }
  const [file, exportName] = parts.map((part) => part.trim()) as [string, string];
  if (file === '') return { problem: `location "${location}" names no file before "::"` };
  if (!identifier.test(exportName)) {
    return { problem: `location "${location}": "${exportName}" is not a function name (letters, digits, _ and $)` };
  }
  if (file.startsWith('/') || file.split(/[\\/]/).includes('..')) {
    return { problem: `location "${location}": the file must lie inside the driver folder (no "/" start, no "..")` };
  }
  return { file, exportName };
}
