/**
 * Type-checks a driver's action module with the TypeScript compiler against the primitives, for
 * `styrmin validate`, and warns about exported functions no action runs. Only validate loads
 * this: compiling takes seconds, and the worker's driver loading must stay fast.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { actionCompilerOptions, styrminPaths } from './action-compiler-options.js';
import type { LoadedDriver } from './check-driver.js';
import { parseActionLocation } from './location.js';
import { readExports } from './module-exports.js';
import { parameterTypesFileName, parameterTypesSource } from './parameter-types.js';
import type { SpecProblem } from './problems.js';
import { parseSource, type SourceDocument } from './yaml-source.js';

/** `.ts` when this module runs from the sources (tsx, Jest), `.js` when it runs compiled from dist/. */
const moduleExtension = path.extname(fileURLToPath(import.meta.url));
/** The project folder, which holds node_modules and the sources: dist/ sits one level below it. */
const repoRoot = fileURLToPath(new URL(moduleExtension === '.js' ? '../..' : '..', import.meta.url));
/** What `styrmin/actions` means to a driver (runtime/bundle.ts makes the same alias for webpack). */
const primitivesFile = path.join(repoRoot, 'workflows', 'primitives.ts');

/** The settings driver tsconfig.json files get too, with this project's types and primitives. */
const compilerOptions: ts.CompilerOptions = {
  ...ts.convertCompilerOptionsFromJson(actionCompilerOptions, repoRoot).options,
  typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
  paths: styrminPaths(repoRoot),
  // A `.js` action module is resolved and its exports read, but not checked.
  allowJs: true,
};

/** The in-memory module that assigns each action's function to the type an action must have. */
const actionCheckFileName = '__styrmin_action_check__.ts';

/** Files outside any driver folder (libs, packages, the primitives), parsed once per process. */
const sharedSourceFiles = new Map<string, ts.SourceFile>();

const isInside = (dir: string, file: string) => {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
};

/** A diagnostic's message on one line, with TypeScript's code (`... (TS2551)`). */
function diagnosticText(diagnostic: ts.Diagnostic): string {
  const text = ts
    .flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    .split('\n')
    .map((line) => line.trim())
    .join(' ');
  return `${text} (TS${diagnostic.code})`;
}

/** The specifier that imports `file` from `fromDir` as a driver would write it (`./actions.js`). */
function importSpecifier(fromDir: string, file: string): string {
  const relative = path.relative(fromDir, file).split(path.sep).join('/');
  const runtime = relative.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs');
  return runtime.startsWith('.') ? runtime : `./${runtime}`;
}

/** Whether `source` imports the module `target` by a relative specifier. */
function importsFile(source: ts.SourceFile, target: string): boolean {
  const base = target.replace(/\.ts$/, '');
  return source.statements.some((statement) => {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) return false;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return false;
    const resolved = path.resolve(path.dirname(source.fileName), specifier.text).replace(/\.(js|ts)$/, '');
    return resolved === base;
  });
}

/**
 * A compiler host that serves `virtual` files from memory, parses files outside the driver
 * folder once per process, and resolves packages as the bundle does.
 */
function compilerHost(driverDir: string, virtual: Map<string, string>): ts.CompilerHost {
  const host = ts.createCompilerHost(compilerOptions, true);
  const { getSourceFile, fileExists, readFile: readHostFile } = host;
  host.fileExists = (file) => virtual.has(path.resolve(file)) || fileExists.call(host, file);
  host.readFile = (file) => virtual.get(path.resolve(file)) ?? readHostFile.call(host, file);
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(path.resolve(file));
    if (text !== undefined) return ts.createSourceFile(file, text, languageVersion, true);
    if (isInside(driverDir, path.resolve(file)))
      return getSourceFile.call(host, file, languageVersion, onError, shouldCreate);
    const key = `${file}\0${JSON.stringify(languageVersion)}`;
    let source = sharedSourceFiles.get(key);
    if (!source) {
      source = getSourceFile.call(host, file, languageVersion, onError, shouldCreate);
      if (source) sharedSourceFiles.set(key, source);
    }
    return source;
  };
  // Packages resolve from this project's node_modules first, as the bundle's webpack does, so a
  // driver folder anywhere on disk can import @temporalio/workflow; then from the driver's own.
  const resolutionCache = ts.createModuleResolutionCache(repoRoot, (name) => name, compilerOptions);
  const projectAnchor = path.join(repoRoot, 'package.json');
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, options, containingSource) =>
    literals.map((literal) => {
      const mode = ts.getModeForUsageLocation(containingSource, literal, options);
      const resolve = (from: string) =>
        ts.resolveModuleName(literal.text, from, options, host, resolutionCache, redirected, mode);
      if (literal.text.startsWith('.') || path.isAbsolute(literal.text)) return resolve(containingFile);
      const fromProject = resolve(projectAnchor);
      return fromProject.resolvedModule ? fromProject : resolve(containingFile);
    });

  return host;
}

/**
 * Type-checks the action module of `driver` and the driver files it imports, with the parameter
 * types generated afresh from the spec (a stale `parameters.generated.ts` on disk cannot hide a
 * misspelt name). Returns, as problems:
 * - errors: each TypeScript diagnostic in the driver's own files (not in the primitives or
 *   packages), and each action whose function cannot take the action input;
 * - warnings: exported functions that no action's location names, and a generated parameter
 *   file that is missing or out of date.
 *
 * `shownDir` is the driver folder as the operator named it: problems name files under it.
 */
export async function typeCheckDriver(driver: LoadedDriver, shownDir: string = driver.dir): Promise<SpecProblem[]> {
  const actionsFile = driver.actionsFile;
  if (!actionsFile) return [];
  const shown = (file: string) => path.join(shownDir, path.relative(driver.dir, file));
  const specFile = shown(driver.specFile);
  if (!existsSync(primitivesFile)) {
    // An installation from dist/ alone (the worker image) has no sources to check against.
    return [
      {
        file: shown(actionsFile),
        line: 0,
        column: 0,
        path: '',
        severity: 'warning',
        message: `actions not type-checked: this Styrmin installation has no ${primitivesFile}`,
      },
    ];
  }

  const generatedFile = path.join(driver.dir, parameterTypesFileName);
  const generatedSource = parameterTypesSource(driver.spec);
  const located = (driver.spec.spec.actions ?? []).flatMap((action, index) => {
    const location = parseActionLocation(action.location);
    return 'problem' in location ? [] : [{ index, action, exportName: location.exportName }];
  });
  // One line per action assigning its function to the type actions must have; a name the
  // loader could not find among the exports (an `export *` from a package) is left out.
  const { names } = await readExports(actionsFile);
  const checked = located.filter(({ exportName }) => names.get(exportName) === true);
  const checkFile = path.join(driver.dir, actionCheckFileName);
  const firstCheckLine = 4;
  const checkSource = [
    `import type { Input } from ${JSON.stringify(importSpecifier(driver.dir, generatedFile))};`,
    `import * as actions from ${JSON.stringify(importSpecifier(driver.dir, actionsFile))};`,
    'type Action = (input: Input) => unknown;',
    ...checked.map(
      ({ exportName }, at) => `export const action${at}: Action = actions[${JSON.stringify(exportName)}];`,
    ),
    '',
  ].join('\n');
  const virtual = new Map([
    [generatedFile, generatedSource],
    [checkFile, checkSource],
  ]);

  const host = compilerHost(driver.dir, virtual);
  const program = ts.createProgram({ rootNames: [actionsFile, checkFile], options: compilerOptions, host });
  const problems: SpecProblem[] = [];
  let specSource: SourceDocument | undefined;
  const inSpec = async (place: Array<string | number>) => {
    specSource ??= parseSource(await readFile(driver.specFile, 'utf8'));
    return specSource.locate(place);
  };
  const at = (source: ts.SourceFile, position: number) => {
    const { line, character } = source.getLineAndCharacterOfPosition(position);
    return { line: line + 1, column: character + 1 };
  };

  const problemAt = (file: string) => ({ file, line: 0, column: 0, path: '', severity: 'error' as const });
  for (const diagnostic of program.getOptionsDiagnostics()) {
    problems.push({ ...problemAt(specFile), message: diagnosticText(diagnostic) });
  }
  const driverSources = program
    .getSourceFiles()
    .filter((source) => isInside(driver.dir, path.resolve(source.fileName)))
    .filter((source) => !path.resolve(source.fileName).split(path.sep).includes('node_modules'));
  for (const source of driverSources) {
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const diagnostic of diagnostics) {
      if (path.resolve(source.fileName) === checkFile) {
        // A diagnostic here is about one action's function: point at its location in the spec.
        const entry = checked[at(source, diagnostic.start ?? 0).line - firstCheckLine];
        if (!entry) {
          // Not about one action (the module as a whole did not import): still not to be hidden.
          problems.push({ ...problemAt(specFile), message: `the action module: ${diagnosticText(diagnostic)}` });
          continue;
        }
        problems.push({
          file: specFile,
          ...(await inSpec(['spec', 'actions', entry.index, 'location'])),
          path: `spec.actions[${entry.index}].location`,
          severity: 'error',
          message: `action "${entry.action.name}": function "${entry.exportName}" cannot take the action input: ${diagnosticText(diagnostic)}`,
        });
        continue;
      }
      problems.push({
        file: shown(source.fileName),
        ...(diagnostic.start === undefined ? { line: 0, column: 0 } : at(source, diagnostic.start)),
        path: '',
        severity: 'error',
        message: diagnosticText(diagnostic),
      });
    }
  }

  problems.push(...unusedExports(program, actionsFile, new Set(located.map((entry) => entry.exportName)), shown));
  problems.push(...(await generatedFileProblems(driverSources, generatedFile, generatedSource, shown, shownDir)));
  return problems;
}

/**
 * Exported functions of the action module that no action's location names: the bundle registers
 * only named functions, so these never run (a misspelt location, or an action never declared).
 * Hooks and modes need no such check: the schema accepts only setup/upgrade and pre/core/post,
 * and every mode of a hook runs (a core action replaces the Helm step, it is not skipped).
 */
function unusedExports(
  program: ts.Program,
  actionsFile: string,
  named: Set<string>,
  shown: (file: string) => string,
): SpecProblem[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(actionsFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!source || !moduleSymbol) return [];
  const problems: SpecProblem[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    if (named.has(exported.name)) continue;
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(target.flags & ts.SymbolFlags.Value) || target.flags & ts.SymbolFlags.Class) continue;
    const declaration = exported.declarations?.[0];
    if (!declaration) continue;
    const type = checker.getTypeOfSymbolAtLocation(target, declaration);
    if (type.getCallSignatures().length === 0) continue;
    const file = declaration.getSourceFile();
    const nameNode = ts.getNameOfDeclaration(declaration) ?? declaration;
    const { line, character } = file.getLineAndCharacterOfPosition(nameNode.getStart(file));
    problems.push({
      file: shown(file.fileName),
      line: line + 1,
      column: character + 1,
      path: '',
      severity: 'warning',
      message: `"${exported.name}" is exported from ${path.basename(actionsFile)} but no action's location names it, so it never runs (a misspelt location, or an action missing from the spec?)`,
    });
  }
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/**
 * The generated parameter types on disk against the spec: out of date, or missing while a driver
 * file imports it (an editor and `tsc` then see other types than `styrmin validate` checked).
 */
async function generatedFileProblems(
  driverSources: readonly ts.SourceFile[],
  generatedFile: string,
  generatedSource: string,
  shown: (file: string) => string,
  shownDir: string,
): Promise<SpecProblem[]> {
  const onDisk = await readFile(generatedFile, 'utf8').catch(() => undefined);
  const imported = driverSources.some(
    (source) => path.basename(source.fileName) !== actionCheckFileName && importsFile(source, generatedFile),
  );
  const run = `run \`styrmin driver types ${shownDir}\``;
  const problem = (message: string): SpecProblem => ({
    file: shown(generatedFile),
    line: 0,
    column: 0,
    path: '',
    severity: 'warning',
    message,
  });
  if (onDisk === undefined)
    return imported ? [problem(`missing, though the actions import it: ${run} (validate checked fresh types)`)] : [];
  if (onDisk !== generatedSource)
    return [problem(`out of date with spec.parameters: ${run} (validate checked fresh types)`)];
  return [];
}
