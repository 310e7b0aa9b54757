/**
 * The "Primitives" section: what workflows/primitives.ts (`styrmin/actions`) exports, in source
 * order, read with the compiler API: each function's signature, option fields, `@idempotent` and
 * `@throws` tags (the convention is stated at the top of workflows/primitives.ts), and the
 * activity option profile it runs with.
 */
import ts from 'typescript';
import { fieldHeaders, fieldRows, otherExportPart, ownFields, signature } from './declarations.js';
import { anchor, code, table } from './markdown.js';
import { declared, docOf, fileDoc, printed, relativeFile, sourceFile, tagsOf, type Sources } from './sources.js';

export const primitivesModule = 'workflows/primitives.ts';
/** The helper of primitives.ts that runs an activity: `call(profile, summary, options, run)`. */
const activityCall = 'call';
/** `@throws FailureType.<Type> — when`, or `@throws none — why`. */
const throwsTag = /^(?:FailureType\.(\w+)|none)\s+—\s+(.+)$/s;

/** What the section found out that the failure types section lists too: which primitives raise each type. */
export interface PrimitivesSection {
  markdown: string;
  raisedBy: Map<string, string[]>;
}

/** The module's exports with the symbols they stand for, in the order primitives.ts exports them. */
function exportsInOrder(sources: Sources, file: ts.SourceFile): { name: string; symbol: ts.Symbol }[] {
  const module = sources.checker.getSymbolAtLocation(file);
  if (!module) throw new Error(`driver reference: ${primitivesModule} is not a module`);
  return sources.checker
    .getExportsOfModule(module)
    .map((symbol) => ({ name: symbol.name, symbol: declared(sources, symbol), at: symbol.declarations?.[0]?.pos ?? 0 }))
    .sort((a, b) => a.at - b.at);
}

/** The activity option profile a primitive passes to `call`, if it runs an activity at all. */
function profileOf(sources: Sources, fn: ts.FunctionDeclaration): ts.Symbol | undefined {
  let profile: ts.Symbol | undefined;
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === activityCall) {
      const [first] = node.arguments;
      const symbol = first && sources.checker.getSymbolAtLocation(first);
      if (symbol) profile ??= declared(sources, symbol);
    }
    if (!profile) ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return profile;
}

/** The `@idempotent` and `@throws` lines of a primitive; throws when its comment lacks them. */
function contractLines(sources: Sources, name: string, symbol: ts.Symbol, failureTypes: string[]) {
  const [idempotent, ...extra] = tagsOf(sources, symbol, 'idempotent');
  if (!idempotent || extra.length > 0 || !/^(yes|no) — /.test(idempotent))
    throw new Error(`driver reference: ${name} in ${primitivesModule} needs one "@idempotent yes|no — why" tag`);
  const throws = tagsOf(sources, symbol, 'throws').map((tag) => {
    const match = throwsTag.exec(tag);
    if (!match || (match[1] !== undefined && !failureTypes.includes(match[1])))
      throw new Error(`driver reference: ${name}: "@throws ${tag}" names no FailureType of contract/failures.ts`);
    return { type: match[1], when: match[2]! };
  });
  const none = throws.find((t) => t.type === undefined);
  if (throws.length === 0 || (none && throws.length > 1))
    throw new Error(
      `driver reference: ${name} in ${primitivesModule} needs "@throws FailureType.X — when" tags, or one "@throws none — why"`,
    );
  const failures = throws.map(({ type, when }) => `  - [${code(type ?? '')}](#failure-types) — ${when}`);
  return {
    lines: [
      `- **Idempotent:** ${idempotent}`,
      none ? `- **Fails with:** none — ${none.when}` : ['- **Fails with:**', ...failures].join('\n'),
    ],
    types: throws.flatMap((t) => (t.type ? [t.type] : [])),
  };
}

/** A primitive's subsection, and the failure types it states. */
function primitivePart(sources: Sources, name: string, symbol: ts.Symbol, context: PartContext) {
  const fn = symbol.valueDeclaration;
  if (!fn || !ts.isFunctionDeclaration(fn)) throw new Error(`driver reference: ${name} is not a function declaration`);
  const contract = contractLines(sources, name, symbol, context.failureTypes);
  const profile = profileOf(sources, fn);
  if (profile && !context.profiles.includes(profile)) context.profiles.push(profile);
  const parts = [
    `### ${name}`,
    docOf(sources, symbol),
    `\`\`\`ts\n${signature(sources, name, fn)}\n\`\`\``,
    [
      ...contract.lines,
      `- **Activity options:** ${profile ? `[${code(profile.name)}](#activity-options)` : 'none: it runs no activity'}`,
    ].join('\n'),
  ];
  for (const parameter of fn.parameters) {
    const type = sources.checker.getNonNullableType(sources.checker.getTypeAtLocation(parameter));
    if (!ownFields(sources, type)) continue;
    const exported = context.exported.has(type.symbol) ? type.symbol.name : undefined;
    const what = `\`${parameter.name.getText()}\``;
    parts.push(
      exported
        ? `${what}: see [${exported}](#${anchor(exported)}).`
        : `${what} fields:\n\n${table(fieldHeaders, fieldRows(sources, type))}`,
    );
  }
  for (const example of tagsOf(sources, symbol, 'example')) parts.push(`\`\`\`ts\n${example}\n\`\`\``);
  return { markdown: parts.join('\n\n'), types: contract.types };
}

/** What rendering one export needs to know about the others. */
interface PartContext {
  failureTypes: string[];
  /** Interfaces the module exports: a parameter of such a type links to its own subsection. */
  exported: Set<ts.Symbol>;
  /** Activity option profiles the primitives use, in order of first use. */
  profiles: ts.Symbol[];
}

/**
 * The activity option profiles, and the constants of the same file their settings name (the retry
 * policy), each with its settings as written and its comment.
 */
function profilesTable(sources: Sources, profiles: ts.Symbol[]): string {
  const shown = [...profiles];
  for (const profile of shown) {
    const declaration = profile.valueDeclaration;
    const visit = (node: ts.Node) => {
      const symbol = ts.isIdentifier(node) ? sources.checker.getSymbolAtLocation(node) : undefined;
      const target = symbol?.valueDeclaration;
      if (symbol && target && ts.isVariableDeclaration(target) && target.getSourceFile() === node.getSourceFile())
        if (!shown.includes(symbol)) shown.push(symbol);
      ts.forEachChild(node, visit);
    };
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) visit(declaration.initializer);
  }
  const rows = shown.map((symbol) => {
    const declaration = symbol.valueDeclaration as ts.VariableDeclaration;
    const settings = declaration.initializer ? printed(declaration.initializer) : '';
    return [code(symbol.name), code(settings), docOf(sources, symbol)];
  });
  const where = shown[0]?.valueDeclaration ? relativeFile(sources, shown[0].valueDeclaration) : 'the workflows';
  return [`Profiles (${where}):`, table(['Name', 'Settings', 'Description'], rows)].join('\n\n');
}

/** The section's Markdown, and which primitives raise each failure type. */
export function primitivesSection(sources: Sources, failureTypes: string[]): PrimitivesSection {
  const file = sourceFile(sources, primitivesModule);
  const exports = exportsInOrder(sources, file);
  const context: PartContext = {
    failureTypes,
    exported: new Set(exports.map((e) => e.symbol).filter((s) => s.flags & ts.SymbolFlags.Interface)),
    profiles: [],
  };
  const raisedBy = new Map<string, string[]>();
  const parts = exports.map(({ name, symbol }) => {
    if (!(symbol.flags & ts.SymbolFlags.Function)) return otherExportPart(sources, name, symbol);
    const part = primitivePart(sources, name, symbol, context);
    for (const type of part.types) raisedBy.set(type, [...(raisedBy.get(type) ?? []), name]);
    return part.markdown;
  });
  const alias = Object.entries(sources.paths).find(([, files]) => files.some((f) => f.endsWith(primitivesModule)));
  const { text, examples } = fileDoc(file);
  const markdown = [
    '## Primitives',
    text,
    `Actions import them from ${code(alias?.[0] ?? primitivesModule)} (${primitivesModule}):`,
    ...examples.map((example) => `\`\`\`ts\n${example}\n\`\`\``),
    '### Activity options',
    'Each primitive that runs an activity does so with one of these profiles; its optional last argument, ' +
      '`options`, overrides any field of the profile for that call.',
    profilesTable(sources, context.profiles),
    ...parts,
  ].join('\n\n');
  return { markdown, raisedBy };
}
