/**
 * The workflow bundle: the lifecycle workflows plus every loaded driver's actions, registered
 * under namespaced types (`<driver>@<version>/<action>`) through the action dispatcher.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
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

/** Bundles the lifecycle workflows with the drivers' actions. */
export async function bundleLifecycleWorkflows(drivers: LoadedDriver[]): Promise<WorkflowBundleWithSourceMap> {
  const dir = await mkdtemp(path.join(tmpdir(), 'styrmin-bundle-'));
  const entry = path.join(dir, 'workflows.ts');
  await writeFile(entry, workflowEntrySource(drivers));
  return bundleWorkflowCode({
    workflowsPath: entry,
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
