/**
 * Checks, without importing or running it, that the module named by each action location
 * exists and exports the function: the TypeScript compiler API reads its export list.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import type { LocatedAction } from './semantic-check.js';
import type { Finding } from './yaml-source.js';

/** What a module exports at run time, by name. */
interface ExportList {
  /** Exported value names, with `false` for ones that are plainly not functions (literals, classes). */
  names: Map<string, boolean>;
  /** `export * from 'package'` that could not be followed: a missing name may come from there. */
  opaque: string[];
}

const hasExport = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

const literalKinds = new Set([
  ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NumericLiteral, ts.SyntaxKind.ObjectLiteralExpression,
  ts.SyntaxKind.ArrayLiteralExpression, ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.ClassExpression,
]);

/** Candidate files for a relative specifier (`./x.js` is written for `./x.ts` under NodeNext). */
function candidates(from: string, specifier: string): string[] {
  const base = path.resolve(path.dirname(from), specifier);
  return [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, path.join(base, 'index.ts')];
}

async function readExports(file: string, seen: Set<string>): Promise<ExportList> {
  const list: ExportList = { names: new Map(), opaque: [] };
  if (seen.has(file)) return list;
  seen.add(file);
  const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.Latest, false);
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && hasExport(statement) && statement.name) {
      list.names.set(statement.name.text, true);
    } else if (ts.isClassDeclaration(statement) && hasExport(statement) && statement.name) {
      list.names.set(statement.name.text, false);
    } else if (ts.isVariableStatement(statement) && hasExport(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const init = declaration.initializer;
        list.names.set(declaration.name.text, !(init && literalKinds.has(init.kind)));
      }
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      await addExportDeclaration(statement, file, list, seen);
    }
  }
  return list;
}

async function addExportDeclaration(statement: ts.ExportDeclaration, file: string, list: ExportList, seen: Set<string>) {
  const clause = statement.exportClause;
  if (clause && ts.isNamedExports(clause)) {
    for (const element of clause.elements) if (!element.isTypeOnly) list.names.set(element.name.text, true);
    return;
  }
  if (clause) return; // `export * as ns from`: a namespace, never a function
  const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : '';
  for (const candidate of specifier.startsWith('.') ? candidates(file, specifier) : []) {
    try {
      const inner = await readExports(candidate, seen);
      inner.names.forEach((isFunction, name) => list.names.set(name, isFunction));
      list.opaque.push(...inner.opaque);
      return;
    } catch {
      // try the next candidate file
    }
  }
  list.opaque.push(specifier);
}

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
    findings.push({ path: at(first), severity: 'error', message: `action module "${file}" must be a .ts or .js file (e.g. "actions.ts")` });
    return { findings };
  }
  let exports: ExportList;
  try {
    exports = await readExports(actionsFile, new Set());
  } catch {
    for (const action of actions.filter((a) => path.normalize(a.location.file) === file)) {
      findings.push({ path: at(action), severity: 'error', message: `action module "${file}" does not exist in the driver folder ${driverDir}` });
    }
    return { findings };
  }
  for (const action of actions.filter((a) => path.normalize(a.location.file) === file)) {
    const name = action.location.exportName;
    const isFunction = exports.names.get(name);
    if (isFunction === false) {
      findings.push({ path: at(action), severity: 'error', message: `"${file}" exports "${name}", but it is not a function` });
    } else if (isFunction === undefined) {
      const known = [...exports.names].filter(([, fn]) => fn).map(([exported]) => exported);
      const listed = known.length > 0 ? `it exports: ${known.join(', ')}` : 'it exports no functions';
      const severity = exports.opaque.length > 0 ? 'warning' : 'error';
      const maybe = exports.opaque.length > 0 ? ` (unless it comes from ${exports.opaque.join(', ')}, which is not checked)` : '';
      findings.push({ path: at(action), severity, message: `"${file}" does not export a function named "${name}"${maybe}; ${listed}` });
    }
  }
  return { findings, actionsFile };
}
