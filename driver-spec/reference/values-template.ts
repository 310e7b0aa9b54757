/**
 * The "Values templates" section: the variables and helpers a driver's values.j2.yml sees (the type
 * of the object activities/helm/values.ts renders it with) and the filters it can use (the ones
 * values.ts adds with `addFilter`, and nunjucks' built-ins).
 */
import ts from 'typescript';
import { code, table } from './markdown.js';
import { docOf, fileDoc, sourceFile, type Sources } from './sources.js';
import { filtersPart, valuesModule } from './template-filters.js';

/** The function of values.ts that builds what a template sees. */
const variablesFunctionName = 'templateVariables';

/** The function `templateVariables` and the object literal it returns, whose type is exactly what a template sees. */
function variablesFunction(file: ts.SourceFile): { fn: ts.FunctionDeclaration; literal: ts.ObjectLiteralExpression } {
  const fn = file.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === variablesFunctionName,
  );
  const returned = fn?.body?.statements.find(ts.isReturnStatement)?.expression;
  if (!fn || !returned || !ts.isObjectLiteralExpression(returned))
    throw new Error(
      `driver reference: ${valuesModule} no longer returns an object literal from ${variablesFunctionName}()`,
    );
  return { fn, literal: returned };
}

const isMapOrObject = (t: ts.Type) => (t.flags & ts.TypeFlags.Object) !== 0 && t.getCallSignatures().length === 0;

/** A type in words: an interface's name, `object`, `map of X`, `X or null`; `any` for unknown. */
function describe(sources: Sources, type: ts.Type): string {
  const { checker } = sources;
  if (type.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) return 'any';
  const present = checker.getNonNullableType(type);
  if (present !== type) return `${describe(sources, present)} or null`;
  // InTypeAlias spells out an alias (ParameterValue) as what it stands for: string | number | boolean.
  if (type.isUnion()) return checker.typeToString(type, undefined, ts.TypeFormatFlags.InTypeAlias);
  const values = checker.getIndexInfoOfType(type, ts.IndexKind.String)?.type;
  if (values && type.getProperties().length === 0) return `map of ${describe(sources, values)}`;
  if (isMapOrObject(type) && !checker.isArrayType(type) && type.getProperties().length > 0)
    return type.symbol && !type.symbol.name.startsWith('__') ? type.symbol.name : 'object';
  return checker.typeToString(type);
}

/** A variable's row, then its fields' rows (and a map's entries'), depth first in declaration order. */
function variableRows(sources: Sources, type: ts.Type, name: string, doc: string): string[][] {
  const { checker } = sources;
  const present = checker.getNonNullableType(type);
  // A named type's own comment describes the variable when the variable has none (ComponentRef, ServiceRef).
  const typeDoc = present.symbol && !present.symbol.name.startsWith('__') ? docOf(sources, present.symbol) : '';
  const found = [[code(name), describe(sources, type), doc || typeDoc]];
  if (!isMapOrObject(present) || checker.isArrayType(present)) return found;
  const values = checker.getIndexInfoOfType(present, ts.IndexKind.String)?.type;
  if (values && isMapOrObject(values) && values.getProperties().length > 0)
    found.push(...variableRows(sources, values, `${name}.<name>`, ''));
  for (const field of present.getProperties())
    found.push(
      ...variableRows(sources, checker.getTypeOfSymbol(field), `${name}.${field.name}`, docOf(sources, field)),
    );
  return found;
}

/** Tables of the variables and of the helper functions, with what describes them. */
function variablesAndHelpers(sources: Sources): { intro: string; variables: string; helpers: string } {
  const { checker } = sources;
  const { fn, literal } = variablesFunction(sourceFile(sources, valuesModule));
  const variables: string[][] = [];
  const helpers: string[][] = [];
  for (const symbol of checker.getTypeAtLocation(literal).getProperties()) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, literal);
    const [signature] = type.getCallSignatures();
    if (!signature) {
      variables.push(...variableRows(sources, type, symbol.name, docOf(sources, symbol)));
      continue;
    }
    const parameters = signature.getParameters().map((p) => p.name);
    const returns = checker.typeToString(signature.getReturnType(), undefined, ts.TypeFormatFlags.NoTruncation);
    helpers.push([code(`${symbol.name}(${parameters.join(', ')})`), code(returns), docOf(sources, symbol)]);
  }
  // What the literal spreads (the run's context) says what the variables are.
  const spread = literal.properties.find(ts.isSpreadAssignment);
  const context = spread && checker.getTypeAtLocation(spread.expression).symbol;
  const described = fn.name && checker.getSymbolAtLocation(fn.name);
  const intro = [described && docOf(sources, described), context && docOf(sources, context)].filter(Boolean).join(' ');
  return {
    intro,
    variables: table(['Variable', 'Type', 'Description'], variables),
    helpers: table(['Helper', 'Returns', 'Description'], helpers),
  };
}

/** The section's Markdown. */
export async function valuesTemplateSection(sources: Sources): Promise<string> {
  const { intro, variables, helpers } = variablesAndHelpers(sources);
  return [
    '## Values templates',
    fileDoc(sourceFile(sources, valuesModule)).text,
    '### Variables',
    intro,
    variables,
    '### Helpers',
    helpers,
    await filtersPart(sources),
  ].join('\n\n');
}
