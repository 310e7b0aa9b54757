/**
 * The export list of a TypeScript or JavaScript module, read with the TypeScript compiler API
 * without importing or running the module.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

/** What a module exports at run time, by name. */
export interface ExportList {
  /** Exported value names, with `false` for ones that are plainly not functions (literals, classes). */
  names: Map<string, boolean>;
  /** `export * from 'package'` that could not be followed: a missing name may come from there. */
  opaque: string[];
}

const hasExport = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

const literalKinds = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.ObjectLiteralExpression,
  ts.SyntaxKind.ArrayLiteralExpression,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.ClassExpression,
]);

/** Candidate files for a relative specifier (`./x.js` is written for `./x.ts` under NodeNext). */
function candidates(from: string, specifier: string): string[] {
  const base = path.resolve(path.dirname(from), specifier);
  return [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    path.join(base, 'index.ts'),
  ];
}

/** Reads the exports of `file`, following relative `export * from`; throws when the file cannot be read. */
export async function readExports(file: string, seen = new Set<string>()): Promise<ExportList> {
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

async function addExportDeclaration(
  statement: ts.ExportDeclaration,
  file: string,
  list: ExportList,
  seen: Set<string>,
) {
  const clause = statement.exportClause;
  if (clause && ts.isNamedExports(clause)) {
    for (const element of clause.elements) if (!element.isTypeOnly) list.names.set(element.name.text, true);
    return;
  }
  if (clause) return; // `export * as ns from`: a namespace, never a function
  const specifier =
    statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : '';
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
