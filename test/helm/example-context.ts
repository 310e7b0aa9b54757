/** Run contexts for the example-app driver, its chart served from a test repository. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParameterValue } from '../../contract/lifecycle.js';
import type { RunContext } from '../../contract/run-context.js';

/** The example-app driver folder (values.j2.yml and the chart sources). */
export const exampleDriverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drivers/example-app');
export const exampleChartDir = path.join(exampleDriverDir, 'chart');

/** What differs between the runs of one test. */
export interface ExampleRun {
  namespace: string;
  repoUrl: string;
  chartVersion: string;
  appVersion: string;
  parameters?: Record<string, ParameterValue>;
  podAnnotations?: Record<string, string>;
  /** Command of both components, for an image that needs one to keep running; unset keeps the image's own. */
  componentCommand?: string[];
}

/** The context the engine would build for the example-app driver at the given chart and app version. */
export function exampleContext(run: ExampleRun): RunContext {
  const label = (component: string) => ({
    'app.kubernetes.io/name': 'example-app',
    'app.kubernetes.io/component': component,
  });
  const command = run.componentCommand ? { command: run.componentCommand } : {};
  return {
    deployment: { id: run.namespace, namespace: run.namespace },
    driver: { name: 'example-app', version: '1' },
    app: { name: 'example-app', version: run.appVersion, chart: { location: run.repoUrl, version: run.chartVersion } },
    instance: {
      namespace: run.namespace,
      release: run.namespace,
      config: {
        pod_annotations: run.podAnnotations ?? {},
        components: {
          server: { env_vars: { EXAMPLE_APP_LOG_FORMAT: 'json' }, ...command },
          ...(run.componentCommand ? { 'task-worker': command } : {}),
        },
      },
    },
    components: {
      server: { name: 'server', selector: label('server') },
      'task-worker': { name: 'task-worker', selector: label('task-worker') },
    },
    parameters: {
      replicas: 2,
      log_level: 'info',
      admin_password: 'initial-secret',
      enable_metrics: false,
      ...run.parameters,
    },
    services: { web: { name: 'web', kind: 'http', scope: 'external', port: 8000, component: 'server' } },
    cluster: {},
    environment: {},
  };
}
