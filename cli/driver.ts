/**
 * `styrmin driver init|types|test`: start a driver, keep its parameter types in step with its
 * spec, and run its tests on a local Temporal dev server and Kubernetes API test server.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { writeParameterTypes } from '../driver-spec/parameter-types.js';
import { driverTemplate } from './driver-template.js';

/**
 * A new driver's name: stricter than the spec's (`metadata.name`), a DNS label, because the
 * harness's deployment ids, Helm releases and namespaces are made from it.
 */
const driverName = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

// From dist/cli/ when compiled, cli/ from the sources.
const compiled = import.meta.url.endsWith('.js');
/** The Styrmin folder: its schema, primitives and harness are what a new driver refers to. */
const styrminDir = fileURLToPath(new URL(compiled ? '../..' : '..', import.meta.url));
const testingHook = new URL(compiled ? '../testing/register.js' : '../dist/testing/register.js', import.meta.url);

async function init(dir: string, options: { name?: string }): Promise<void> {
  const target = path.resolve(dir);
  const name = options.name ?? path.basename(target);
  if (!driverName.test(name))
    throw new Error(
      `"${name}" cannot name a driver: use lowercase letters, digits and "-", starting with a letter (--name <driver>)`,
    );
  if (existsSync(target) && (await readdir(target)).length > 0)
    throw new Error(`${target} is not empty: give a new or empty folder`);
  const files = driverTemplate(name, path.relative(target, styrminDir).split(path.sep).join('/'));
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(target, file)), { recursive: true });
    await writeFile(path.join(target, file), content);
  }
  const { file: typesFile } = await writeParameterTypes(target);
  const created = [...Object.keys(files), path.relative(target, typesFile)].sort();
  console.log(`driver ${name} created in ${dir}:\n${created.map((f) => `  ${f}`).join('\n')}`);
  console.log(`next:\n  npx styrmin validate ${dir}\n  npx styrmin driver test ${dir}`);
}

async function types(dir: string): Promise<void> {
  const { file, changed } = await writeParameterTypes(path.resolve(dir));
  console.log(`${path.relative(process.cwd(), file)} ${changed ? 'written' : 'up to date'}`);
}

/** The driver's test files: `*.test.ts` (or .mts, .js, .mjs) anywhere in its folder, outside node_modules. */
async function testFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.test\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !file.split(path.sep).includes('node_modules'))
    .sort();
}

async function test(dir: string, options: { kubeconfig?: string }): Promise<void> {
  const files = await testFiles(path.resolve(dir));
  if (files.length === 0) throw new Error(`no test files (*.test.ts) in ${dir}`);
  if (!existsSync(fileURLToPath(testingHook)))
    throw new Error('the test harness is not built: run `npm run build` in the Styrmin folder');
  const env = {
    ...process.env,
    ...(options.kubeconfig ? { STYRMIN_TEST_KUBECONFIG: path.resolve(options.kubeconfig) } : {}),
  };
  // tsx runs the TypeScript tests; the hook resolves `styrmin/testing` to this installation's harness.
  const args = ['--import', import.meta.resolve('tsx'), '--import', testingHook.href, '--test', ...files];
  const child = spawn(process.execPath, args, { stdio: 'inherit', env });
  // Stopped with the command, so that no dev server, test server or worker of the tests outlives it.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, forward);
  if (code !== 0) process.exitCode = code ?? 1;
}

/** Builds the `driver` command. */
export function driverCommand(): Command {
  const driver = new Command('driver').description('write drivers: start one, keep its types in step, test it');
  driver
    .command('init')
    .description('create a driver that validates and runs as it is: spec, actions, values template, chart, test')
    .argument('<dir>', 'a new or empty folder')
    .option('--name <driver>', "the driver's name (metadata.name)", undefined)
    .addHelpText('after', "\nThe name defaults to the folder's.\n\nExample:\n  $ styrmin driver init acme")
    .action(init);
  driver
    .command('types')
    .description("write parameters.generated.ts: the spec's parameters as a TypeScript type for actions.ts")
    .argument('<dir>', 'a driver folder')
    .addHelpText(
      'after',
      '\nRun it again after changing spec.parameters; `styrmin validate` says when it is out of date.',
    )
    .action(types);
  driver
    .command('test')
    .description("run a driver's tests (*.test.ts, node:test) with the styrmin/testing harness")
    .argument('<dir>', 'a driver folder')
    .option('--kubeconfig <file>', 'run against this cluster instead of the Kubernetes API test server')
    .addHelpText(
      'after',
      `
Each test file starts what its runs need through startDriverTest() from styrmin/testing: a
Temporal dev server, the Kubernetes API test server (or the cluster in --kubeconfig, also read
from STYRMIN_TEST_KUBECONFIG), the driver's chart and a worker serving the driver.

Exit status: 0 when every test passes, 1 otherwise.

Example:
  $ styrmin driver test acme`,
    )
    .action(test);
  return driver;
}
