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

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The module name driver actions import the primitives from (an alias of workflows/primitives.ts). */
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
      registry.push(`  ${JSON.stringify(actionWorkflowType(driver.name, driver.version, action.name))}: ${id}[${JSON.stringify(location.exportName)}],`);
    }
  }
  const workflows = path.join(repoRoot, 'workflows');
  return [
    `export * from ${JSON.stringify(path.join(workflows, 'index.ts'))};`,
    `import { actionDispatcher } from ${JSON.stringify(path.join(workflows, 'action-dispatcher.ts'))};`,
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
      config.resolve.alias = { ...config.resolve.alias, [primitivesModule]: path.join(repoRoot, 'workflows', 'primitives.ts') };
      config.resolve.modules = [path.join(repoRoot, 'node_modules'), 'node_modules'];
      return config;
    },
    logger: new DefaultLogger('WARN'),
  });
}
