/**
 * The workflow bundle: the lifecycle workflows plus every loaded driver's actions, registered
 * under namespaced types (`<driver>@<version>/<action>`) through the action dispatcher.
 *
 * Building it (webpack) is most of a worker's start, so a worker keeps the bundles it built in a
 * cache folder, keyed by a hash of everything that goes into one; the build step fills it ahead.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { LoadedDriver } from '../driver-spec/load.js';
import { parseActionLocation } from '../driver-spec/location.js';
import { actionWorkflowType } from '../contract/plan.js';

/**
 * `.ts` when this module runs from the sources (tsx, Jest), `.js` when it runs compiled from dist/:
 * the lifecycle workflows bundled are then the sibling files of the same kind, never a mix.
 */
const moduleExtension = path.extname(fileURLToPath(import.meta.url));
const workflowsDir = fileURLToPath(new URL('../workflows/', import.meta.url));
/** The contract the workflows import: the only other Styrmin folder that goes into a bundle. */
const contractDir = fileURLToPath(new URL('../contract/', import.meta.url));
/** The project folder, which holds node_modules: dist/ sits one level below it. */
const repoRoot = fileURLToPath(new URL(moduleExtension === '.js' ? '../..' : '..', import.meta.url));

/** A lifecycle workflow module next to this one: `workflows/<name>.ts` or `dist/workflows/<name>.js`. */
function workflowModule(name: string): string {
  return path.join(workflowsDir, `${name}${moduleExtension}`);
}

/** The module name driver actions import the primitives from (an alias of workflows/primitives). */
const primitivesModule = 'styrmin/actions';

/** Source of the bundle's entry module for these drivers. */
function workflowEntrySource(drivers: LoadedDriver[]): string {
  const imports: string[] = [];
  const registry: string[] = [];
  const moduleIds = new Map<string, string>();
  for (const driver of drivers) {
    for (const action of driver.spec.spec.actions ?? []) {
      const location = parseActionLocation(action.location);
      // Loaded drivers passed validation, which reports a malformed location.
      if ('problem' in location) throw new Error(`${driver.specFile}: ${location.problem}`);
      const modulePath = path.resolve(driver.dir, location.file);
      let id = moduleIds.get(modulePath);
      if (!id) {
        id = `driver${moduleIds.size}`;
        moduleIds.set(modulePath, id);
        imports.push(`import * as ${id} from ${JSON.stringify(modulePath)};`);
      }
      registry.push(
        `  ${JSON.stringify(actionWorkflowType(driver.name, driver.version, action.name))}: ${id}[${JSON.stringify(location.exportName)}],`,
      );
    }
  }
  return [
    `export * from ${JSON.stringify(workflowModule('index'))};`,
    `import { actionDispatcher } from ${JSON.stringify(workflowModule('action-dispatcher'))};`,
    ...imports,
    'export default actionDispatcher({',
    ...registry,
    '});',
    '',
  ].join('\n');
}

/**
 * Bundles the lifecycle workflows with the drivers' actions, and with these workflow interceptor
 * modules (tracing's, when on).
 */
export async function bundleLifecycleWorkflows(
  drivers: LoadedDriver[],
  interceptorModules: string[] = [],
): Promise<WorkflowBundleWithSourceMap> {
  return bundleEntry(workflowEntrySource(drivers), interceptorModules);
}

async function bundleEntry(entrySource: string, interceptorModules: string[]): Promise<WorkflowBundleWithSourceMap> {
  const dir = await mkdtemp(path.join(tmpdir(), 'styrmin-bundle-'));
  const entry = path.join(dir, 'workflows.ts');
  await writeFile(entry, entrySource);
  return bundleWorkflowCode({
    workflowsPath: entry,
    workflowInterceptorModules: interceptorModules,
    webpackConfigHook: (config) => {
      config.resolve ??= {};
      config.resolve.alias = { ...config.resolve.alias, [primitivesModule]: workflowModule('primitives') };
      // Drivers outside the project import @temporalio/workflow too: resolve it from Styrmin's own packages.
      config.resolve.modules = [path.join(repoRoot, 'node_modules'), 'node_modules'];
      return config;
    },
    logger: new DefaultLogger('WARN'),
  });
}

/** The cache folder when STYRMIN_BUNDLE_CACHE does not name one. */
export const defaultBundleCacheDir = path.join(repoRoot, '.styrmin', 'bundles');

/** Bundles kept in the cache; the least recently used beyond this are removed. */
const cachedBundlesKept = 8;

/** Where a bundle came from, for the worker's start line. */
export type BundleSource = 'cache' | 'built';

/**
 * The bundle for these drivers from `cacheDir` when one was built from the same files, else a new
 * one, which is then stored there (a cache that cannot be written only costs the next start time).
 */
export async function cachedLifecycleBundle(
  drivers: LoadedDriver[],
  cacheDir: string,
  interceptorModules: string[] = [],
): Promise<{ bundle: { code: string }; source: BundleSource; file: string }> {
  const entrySource = workflowEntrySource(drivers);
  const key = await bundleKey(entrySource, interceptorModules, drivers);
  const file = path.join(cacheDir, `workflows-${key}.js`);
  try {
    const code = await readFile(file, 'utf8');
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined); // marks it used, for pruning
    return { bundle: { code }, source: 'cache', file };
  } catch {
    // Not built yet for these files.
  }
  const { code } = await bundleEntry(entrySource, interceptorModules);
  await storeBundle(cacheDir, file, code).catch((err: unknown) =>
    console.warn(`warning: workflow bundle not cached in ${cacheDir}: ${(err as Error).message}`),
  );
  return { bundle: { code }, source: 'built', file };
}

/**
 * A hash of what a bundle is made of: the entry (driver module paths and action names), the
 * interceptor modules, the lifecycle workflows and the contract as this process runs them, every file of each driver's
 * folder, and the locked dependency versions (the SDK's workflow runtime among them). A driver
 * that imports files from outside its folder is not covered: keep its actions in its folder.
 */
async function bundleKey(entrySource: string, interceptorModules: string[], drivers: LoadedDriver[]): Promise<string> {
  const hash = createHash('sha256')
    .update(entrySource)
    .update(`\0${interceptorModules.join('\0')}`);
  const files = [
    ...(await filesUnder(workflowsDir)),
    ...(await filesUnder(contractDir)),
    ...(await Promise.all(drivers.map((d) => filesUnder(d.dir)))).flat(),
    path.join(repoRoot, 'package-lock.json'),
  ];
  for (const file of [...new Set(files)].sort()) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(file).catch(() => Buffer.from('(none)')));
  }
  return hash.digest('hex').slice(0, 32);
}

/** Every file below `dir`, leaving out node_modules and dot folders. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter(
      (file) =>
        !path
          .relative(dir, file)
          .split(path.sep)
          .some((part) => part === 'node_modules' || part.startsWith('.')),
    );
}

/** Writes the bundle whole (a reader never sees half a file), then prunes the least recently used. */
async function storeBundle(cacheDir: string, file: string, code: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, code);
  await rename(partial, file);
  const bundles = (await readdir(cacheDir)).filter((name) => /^workflows-[0-9a-f]+\.js$/.test(name));
  const used = await Promise.all(
    bundles.map(async (name) => ({ name, usedAt: (await stat(path.join(cacheDir, name))).mtimeMs })),
  );
  used.sort((a, b) => b.usedAt - a.usedAt);
  await Promise.all(used.slice(cachedBundlesKept).map(({ name }) => rm(path.join(cacheDir, name), { force: true })));
}
