/**
 * Declarations as the driver reference shows them: a function's signature, an object type's
 * fields, and an export that is not a function (an interface, a type, a value).
 */
import ts from 'typescript';
import { code, table } from './markdown.js';
import { docOf, printed, relativeFile, tagsOf, type Sources } from './sources.js';

/** Field rows of an object type: name, type as written, required, `@default`, description. */
export function fieldRows(sources: Sources, type: ts.Type): string[][] {
  return type.getProperties().map((field) => {
    const declaration = field.valueDeclaration;
    const written =
      declaration && ts.isPropertySignature(declaration) && declaration.type
        ? printed(declaration.type)
        : sources.checker.typeToString(sources.checker.getTypeOfSymbol(field));
    const optional = (field.flags & ts.SymbolFlags.Optional) !== 0;
    const fallback = tagsOf(sources, field, 'default').join(' ');
    return [code(field.name), code(written), optional ? 'no' : 'yes', fallback, docOf(sources, field)];
  });
}

export const fieldHeaders = ['Field', 'Type', 'Required', 'Default', 'Description'];

/** True when the type's fields are the project's own (not a library's, such as Temporal's ActivityOptions). */
export function ownFields(sources: Sources, type: ts.Type): boolean {
  const fields = type.getProperties();
  if (fields.length === 0 || sources.checker.isArrayType(type) || type.getCallSignatures().length > 0) return false;
  return fields.every((f) => f.declarations?.every((d) => !relativeFile(sources, d).startsWith('node_modules')));
}

/** The function's signature, on one line or one parameter per line when long. */
export function signature(sources: Sources, name: string, fn: ts.FunctionDeclaration): string {
  const { checker } = sources;
  const parameters = fn.parameters.map((p) => {
    const type = p.type ? printed(p.type) : checker.typeToString(checker.getTypeAtLocation(p));
    return `${p.name.getText()}${p.questionToken ? '?' : ''}: ${type}`;
  });
  const resolved = checker.getSignatureFromDeclaration(fn)?.getReturnType();
  const returns = fn.type ? printed(fn.type) : resolved ? checker.typeToString(resolved) : 'void';
  const oneLine = `function ${name}(${parameters.join(', ')}): ${returns}`;
  if (oneLine.length <= 100) return oneLine;
  return `function ${name}(\n${parameters.map((p) => `  ${p},`).join('\n')}\n): ${returns}`;
}

/** The package a library declaration comes from (`@temporalio/workflow`), or the project file. */
function origin(sources: Sources, symbol: ts.Symbol): string {
  const file = symbol.declarations?.[0] ? relativeFile(sources, symbol.declarations[0]) : '';
  const inPackage = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  return inPackage ? inPackage[1]! : file;
}

/** The subsection of an export that is not a function: an interface's fields, a type, a value. */
export function otherExportPart(sources: Sources, name: string, symbol: ts.Symbol): string {
  const declaration = symbol.declarations?.[0];
  // A library's comment can run for pages: its first paragraph says what it is.
  const doc = docOf(sources, symbol).split('\n\n')[0] ?? '';
  const from = `From ${code(origin(sources, symbol))}.`;
  if (declaration && ts.isInterfaceDeclaration(declaration)) {
    const typeParameters = declaration.typeParameters?.map(printed).join(', ');
    const written = `interface ${name}${typeParameters ? `<${typeParameters}>` : ''}`;
    const type = sources.checker.getDeclaredTypeOfSymbol(symbol);
    return [`### ${name}`, doc, `${code(written)}. ${from}`, table(fieldHeaders, fieldRows(sources, type))].join(
      '\n\n',
    );
  }
  if (declaration && ts.isTypeAliasDeclaration(declaration))
    return [`### ${name}`, doc, `${code(`type ${name} = ${printed(declaration.type)}`)}. ${from}`].join('\n\n');
  return [`### ${name}`, doc, from].join('\n\n');
}
