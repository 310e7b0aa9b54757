/**
 * Checks, without importing or running it, that the module named by each action location
 * exists and exports the function.
 */
import path from 'node:path';
import type { ExportList } from './module-exports.js';
import type { LocatedAction } from './semantic-check.js';
import type { Finding } from './yaml-source.js';

/** Result of the action module checks. */
export interface ActionFileResult {
  findings: Finding[];
  /** Absolute path of the one module that holds the driver's actions. */
  actionsFile?: string;
}

/** Checks every located action against its module; all actions of a driver share one module. */
export async function checkActionFiles(driverDir: string, actions: LocatedAction[]): Promise<ActionFileResult> {
  const findings: Finding[] = [];
  const at = (action: LocatedAction) => ['spec', 'actions', action.index, 'location'];
  const first = actions[0];
  if (!first) return { findings };
  const file = path.normalize(first.location.file);
  const actionsFile = path.resolve(driverDir, file);
  for (const action of actions.filter((a) => path.normalize(a.location.file) !== file)) {
    findings.push({
      path: at(action),
      severity: 'error',
      message: `all actions of a driver live in one module: "${action.location.file}" differs from "${first.location.file}" (action "${first.name}")`,
    });
  }
  if (!/\.(ts|mts|js|mjs)$/.test(file)) {
    findings.push({
      path: at(first),
      severity: 'error',
      message: `action module "${file}" must be a .ts or .js file (e.g. "actions.ts")`,
    });
    return { findings };
  }
  // The TypeScript compiler loads only for drivers that declare actions.
  const { readExports } = await import('./module-exports.js');
  let exports: ExportList;
  try {
    exports = await readExports(actionsFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `does not exist in the driver folder ${driverDir}`
        : `cannot be read: ${(error as Error).message}`;
    for (const action of actions.filter((a) => path.normalize(a.location.file) === file)) {
      findings.push({ path: at(action), severity: 'error', message: `action module "${file}" ${reason}` });
    }
    return { findings };
  }
  for (const action of actions.filter((a) => path.normalize(a.location.file) === file)) {
    const name = action.location.exportName;
    const isFunction = exports.names.get(name);
    if (isFunction === false) {
      findings.push({
        path: at(action),
        severity: 'error',
        message: `"${file}" exports "${name}", but it is not a function`,
      });
    } else if (isFunction === undefined) {
      const known = [...exports.names].filter(([, fn]) => fn).map(([exported]) => exported);
      const listed = known.length > 0 ? `it exports: ${known.join(', ')}` : 'it exports no functions';
      const severity = exports.opaque.length > 0 ? 'warning' : 'error';
      const maybe =
        exports.opaque.length > 0 ? ` (unless it comes from ${exports.opaque.join(', ')}, which is not checked)` : '';
      findings.push({
        path: at(action),
        severity,
        message: `"${file}" does not export a function named "${name}"${maybe}; ${listed}`,
      });
    }
  }
  return { findings, actionsFile };
}
