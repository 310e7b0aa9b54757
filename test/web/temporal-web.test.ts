/**
 * What an operator sees in Temporal Web, in a real browser (Debian's Chromium, installed by
 * scripts/install-browser.sh, driven by playwright-core): for an upgrade whose migration fails
 * after the release, the run's page shows on its first screen, without a click, the failed
 * action, its exit code and its stderr line; the list filtered for the deployment's runs shows the
 * runs with their summaries and none of their actions. A dev server of its own, with the Web UI, on free ports. Runs on
 * the Kubernetes API test server only (kubesim only: the migration is told to fail through its
 * exec's environment).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSetup, startUpgrade } from '../../client.js';
import { loadDrivers } from '../../driver-spec/load.js';
import { processExecHandler } from '../../kubesim/exec/process-handler.js';
import { ensureDevServer, type DevServer } from '../../runtime/dev-server.js';
import { createStyrminWorker } from '../../runtime/styrmin-worker.js';
import {
  exampleAppExecPath,
  repoRoot,
  startExampleEnvironment,
  type ExampleEnvironment,
} from '../../scripts/example-environment.js';
import { describeSimOnly } from '../support/cluster.js';
import { freePort } from '../support/ports.js';
import { uniqueName } from '../support/temporal.js';

/** The browser scripts/install-browser.sh installed (scripts/test.sh exports CHROMIUM_BIN). */
function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_BIN, '/usr/bin/chromium'].filter((p): p is string => Boolean(p));
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error('no Chromium: run `bash scripts/install-browser.sh` (scripts/test.sh does)');
  return found;
}

let temporal: DevServer;
let environment: ExampleEnvironment;
let connection: Connection;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let browser: Browser;
const deploymentId = uniqueName('web');
const taskQueue = uniqueName('web');
let upgradeId: string;

beforeAll(async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'styrmin-web-'));
  temporal = await ensureDevServer(stateDir, await freePort(), await freePort());
  environment = await startExampleEnvironment({ useConfiguredCluster: false, readyDelayMs: 200 });
  const env = { EXAMPLE_APP_MIGRATE_EXIT: '3' };
  environment.sim!.setExecHandler(processExecHandler(60_000, { path: [exampleAppExecPath], env }));
  nativeConnection = await NativeConnection.connect({ address: temporal.address });
  connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  worker = await createStyrminWorker({
    connection: nativeConnection,
    client,
    taskQueue,
    drivers: await loadDrivers([path.join(repoRoot, 'drivers')]),
    kubeConfig: () => environment.kubeConfig,
    defaults: { chartLocations: { 'example-app': environment.chartRepositoryUrl } },
  });
  running = worker.run();
  const input = { deploymentId, driver: 'example-app', namespace: deploymentId };
  await (await startSetup(client, { ...input, version: '1.0.0' }, { taskQueue })).result();
  const upgrade = await startUpgrade(client, { ...input, targetVersion: '2.0.0' }, { taskQueue });
  await expect(upgrade.result()).rejects.toThrow();
  upgradeId = upgrade.workflowId;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  await environment?.close();
  await temporal?.stop();
});

/**
 * The workflow list's columns as an operator sets them once with "Configure Columns" (the UI
 * keeps them in the browser's local storage): the defaults with `StyrminSummary` after the id.
 */
const listColumns = {
  default: ['Status', 'Workflow ID', 'StyrminSummary', 'Type', 'Start', 'End'].map((label) => ({ label })),
};

/** A page of the Web UI at a laptop's screen size, once its data has arrived. */
async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // A script string, since this file is compiled without the DOM's types.
  const columns = JSON.stringify(JSON.stringify(listColumns));
  await page.addInitScript(`localStorage.setItem('namespace-workflow-table-columns', ${columns});`);
  await page.goto(url, { waitUntil: 'networkidle' });
  return page;
}

/** True when the first element showing `text` lies within the first screen. */
async function onFirstScreen(page: Page, text: string | RegExp): Promise<boolean> {
  const element = page.getByText(text).first();
  await element.waitFor({ timeout: 30_000 });
  const box = await element.boundingBox();
  return box !== null && box.y >= 0 && box.y + Math.min(box.height, 20) <= 900;
}

describeSimOnly('Temporal Web (kubesim only: the migration fails through its exec)', () => {
  it('shows on a failed run’s first screen the failed action, its exit code and its stderr line', async () => {
    const page = await open(`${temporal.webUrl}/namespaces/default/workflows/${encodeURIComponent(upgradeId)}`);
    expect(await onFirstScreen(page, /migrate_and_restart: \[CommandFailed\] exit code 3/)).toBe(true);
    expect(await onFirstScreen(page, /stderr: ERROR: duplicate key value violates unique constraint/)).toBe(true);
    expect(await onFirstScreen(page, /Left: pre succeeded/)).toBe(true);
  }, 60_000);

  it('lists the deployment’s runs with their summaries, and none of their actions, with the documented query', async () => {
    const query = `StyrminKind = "run" AND StyrminDeploymentId = "${deploymentId}"`;
    const page = await open(`${temporal.webUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    await page.getByText(upgradeId, { exact: true }).first().waitFor({ timeout: 30_000 });
    const text = await page.locator('body').innerText();
    expect(text).toContain(`${deploymentId}/setup`);
    expect(text).toMatch(
      new RegExp(`upgrade ${deploymentId} 1\\.0\\.0 → 2\\.0\\.0 \\(example-app@[0-9.]+, namespace ${deploymentId}\\)`),
    );
    expect(text).toContain(`setup ${deploymentId} to 1.0.0`);
    expect(text).not.toMatch(/\/(pre|core|post)\//);
    expect(text).not.toContain(`${deploymentId}/lock`);
    // The summary is in the run's own row, on the first screen.
    expect(await onFirstScreen(page, new RegExp(`upgrade ${deploymentId} 1\\.0\\.0 → 2\\.0\\.0`))).toBe(true);
  }, 60_000);
});
