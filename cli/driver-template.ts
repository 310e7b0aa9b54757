import { actionCompilerOptions, styrminPaths } from '../driver-spec/action-compiler-options.js';

/**
 * The files of a new driver (`styrmin driver init`): a spec, actions, a values template, a chart
 * and a test, which validate and run as they are and show the author where each thing goes.
 */

/**
 * Relative path → content of each file of a new driver named `name`; `styrminDir` is the Styrmin
 * folder, relative to the driver's (for the schema and the types editors use).
 */
export function driverTemplate(name: string, styrminDir: string): Record<string, string> {
  return {
    'driver.styrmin.yml': spec(name, `${styrminDir}/driver-spec/schema.json`),
    'actions.ts': actions(name),
    'values.j2.yml': values(name),
    'chart/Chart.yaml': chartMeta(name),
    'chart/values.yaml': chartValues(),
    'chart/templates/web.yaml': workload(name, 'web', '.Values.web.replicas'),
    'chart/templates/worker.yaml': workload(name, 'worker', '1'),
    [`${name}.test.ts`]: test(name),
    // ES modules, as Styrmin runs actions and tests; also where the author's own tooling goes.
    'package.json': json({ name: `${name}-driver`, private: true, type: 'module' }),
    'tsconfig.json': tsconfig(styrminDir),
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** For editors and `tsc -p`: the settings `styrmin validate` checks actions with. */
const tsconfig = (styrminDir: string) =>
  json({
    compilerOptions: {
      ...actionCompilerOptions,
      typeRoots: [`${styrminDir}/node_modules/@types`],
      paths: styrminPaths(styrminDir),
    },
  });

const spec = (name: string, schemaPath: string) => `# yaml-language-server: $schema=${schemaPath}
# How Styrmin installs and upgrades ${name}. \`npx styrmin validate <this folder>\` checks it;
# docs/driver-reference.md describes every field.
apiVersion: styrmin.io/v1
kind: ApplicationDriver
metadata:
  name: ${name}
spec:
  # The driver's own revision: raise it when its actions or spec change.
  version: "1"
  # The application versions it installs and upgrades between, and the one setup installs.
  supported_versions: ">=1.0,<2.0"
  default_version: "1.0.0"
  info:
    description: ${name}, a web server and a background worker.

  # The chart: a folder of the driver while you develop it; later a chart repository
  # (https://charts.example.com, chart name = the driver's) or an oci:// reference, with its version.
  helm:
    main:
      location: ./chart
      version: "0.1.0"

  # Components, found by the labels of the chart's Deployments, StatefulSets and CronJobs.
  components:
    web:
      identifier:
        label:
          app.kubernetes.io/name: ${name}
          app.kubernetes.io/component: web
    worker:
      identifier:
        label:
          app.kubernetes.io/name: ${name}
          app.kubernetes.io/component: worker

  # What a run's input may set. Actions read them typed: \`npx styrmin driver types <this folder>\`
  # writes parameters.generated.ts from this list.
  parameters:
    - name: replicas
      label: Web server replicas
      kind: integer
      default: 1
      min: 1
      max: 5
    - name: log_level
      label: Log level
      kind: enum
      values: [debug, info, warning]
      default: info

  # Each action: a hook (setup, upgrade), a mode (pre, core, post: in that order; the actions of
  # one mode run side by side) and the function that runs it. Between pre and post, Styrmin's
  # core step installs or upgrades the chart.
  actions:
    - name: check_prerequisites
      hook: setup
      mode: pre
      location: actions.ts::checkPrerequisites
      description: Refuse parameters the application cannot run with, before anything is installed.
    - name: smoke_test
      hook: setup
      mode: post
      location: actions.ts::smokeTest
      description: Check every component is up with all its replicas.
    - name: stop_worker
      hook: upgrade
      mode: pre
      location: actions.ts::stopWorker
      description: Stop the worker, so that no job runs while the release changes.
    - name: start_worker
      hook: upgrade
      mode: post
      location: actions.ts::startWorker
      description: Start the worker again, on the new version.
`;

const actions = (name: string) => `/**
 * Lifecycle actions of ${name}. Each function is a Temporal workflow: deterministic, with no I/O of
 * its own. The primitives it calls from styrmin/actions do the work, as retried activities.
 */
import { getComponentStatus, log, startComponents, stopComponents, waitForComponents } from 'styrmin/actions';
import type { Input } from './parameters.generated.js';

/** setup/pre: refuse what cannot work before anything is installed. */
export async function checkPrerequisites({ deploymentId, parameters, versions }: Input) {
  if (parameters.log_level === 'debug' && parameters.replicas > 1)
    throw new Error('log_level=debug is for a single web server: set replicas to 1');
  log.info('installing ${name}', { deploymentId, version: versions.target, replicas: parameters.replicas });
}

/** setup/post: every component is up with all its replicas. */
export async function smokeTest({ deploymentId }: Input) {
  await waitForComponents(deploymentId, ['web', 'worker'], { state: 'ready', timeoutSeconds: 300 });
  return getComponentStatus(deploymentId, ['web', 'worker']);
}

/** upgrade/pre: no job may run while the release changes; the release keeps the worker stopped. */
export async function stopWorker({ deploymentId }: Input) {
  return stopComponents(deploymentId, ['worker']);
}

/** upgrade/post: the worker comes back with the replicas it had, on the new version. */
export async function startWorker({ deploymentId }: Input) {
  return startComponents(deploymentId, ['worker']);
}
`;

const values = (name: string) => `{#-
  Helm values of the ${name} chart, rendered with the run's context: app.version, parameters,
  services, instance.config, ... (docs/driver-reference.md lists them, and the filters).
-#}
image:
  tag: {{ app.version | tojson }}
logLevel: {{ parameters.log_level | tojson }}
web:
  replicas: {{ parameters.replicas }}
`;

const chartMeta = (name: string) => `apiVersion: v2
name: ${name}
description: ${name}, a web server and a background worker.
type: application
version: 0.1.0
appVersion: "1.0.0"
`;

const chartValues = () => `# Set by the driver's values.j2.yml on each run.
image:
  repository: registry.example.com/app
  tag: ""
logLevel: info
web:
  replicas: 1
`;

const workload = (name: string, component: string, replicas: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-${component}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/component: ${component}
spec:
  replicas: {{ ${replicas} }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
      app.kubernetes.io/component: ${component}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
        app.kubernetes.io/instance: {{ .Release.Name }}
        app.kubernetes.io/component: ${component}
    spec:
      containers:
        - name: ${component}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          args: ["${component}"]
          env:
            - name: LOG_LEVEL
              value: {{ .Values.logLevel | quote }}
`;

const test = (name: string) => `/**
 * ${name}'s tests. \`npx styrmin driver test <this folder>\` runs them (node:test) on a Temporal
 * dev server and the Kubernetes API test server, or on the cluster in STYRMIN_TEST_KUBECONFIG.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDriverTest, type DriverTest } from 'styrmin/testing';

let driver: DriverTest;
before(async () => {
  driver = await startDriverTest(import.meta.dirname);
});
after(async () => {
  await driver?.close();
});

/** The image of the component's Deployment, and its replicas. */
async function deployment(namespace: string, component: string) {
  const { items } = await driver.apps.listNamespacedDeployment({
    namespace,
    labelSelector: \`app.kubernetes.io/name=${name},app.kubernetes.io/component=\${component}\`,
  });
  assert.equal(items.length, 1, \`one \${component} Deployment\`);
  return { image: items[0]!.spec?.template.spec?.containers[0]?.image, replicas: items[0]!.spec?.replicas };
}

test('setup installs every component, with the replicas asked for', async () => {
  const setup = await driver.setup({ parameters: { replicas: 2 } });
  assert.equal(setup.status, 'succeeded', setup.failure);
  assert.equal(setup.record?.appVersion, '1.0.0');
  assert.deepEqual(await deployment(setup.namespace, 'web'), { image: 'registry.example.com/app:1.0.0', replicas: 2 });
});

test('upgrade moves every component to the new version and starts the worker again', async () => {
  const upgrade = await driver.upgrade({ targetVersion: '1.1.0' });
  assert.equal(upgrade.status, 'succeeded', upgrade.failure);
  assert.equal(upgrade.record?.appVersion, '1.1.0');
  assert.deepEqual(await deployment(upgrade.namespace, 'worker'), {
    image: 'registry.example.com/app:1.1.0',
    replicas: 1,
  });
});

test('setup refuses debug logging with more than one web server, before installing anything', async () => {
  const setup = await driver.setup({ parameters: { replicas: 2, log_level: 'debug' } });
  assert.equal(setup.status, 'failed');
  assert.match(setup.failure ?? '', /log_level=debug is for a single web server/);
  assert.equal(setup.record?.history.at(-1)?.status, 'failed');
  const { items } = await driver.apps.listNamespacedDeployment({ namespace: setup.namespace });
  assert.deepEqual(items, []);
});
`;
