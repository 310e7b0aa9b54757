/** A run context for template tests, in the shape the engine builds. */
import type { RunContext } from '../../contract/run-context.js';

/** A two-component context (server, worker) with one service; `overrides` replace top-level keys. */
export function makeContext(overrides: Partial<RunContext> = {}): RunContext {
  return {
    deployment: { id: 'shop-prod', namespace: 'shop' },
    driver: { name: 'shop', version: '3' },
    app: {
      name: 'shop',
      version: '2.4.1',
      chart: { location: 'oci://registry.example.com/charts/shop', version: '1.2.0' },
    },
    instance: {
      namespace: 'shop',
      release: 'shop-prod',
      config: {
        tier: 'gold',
        components: {
          server: { env_vars: { LOG_FORMAT: 'json', WORKERS: 4 }, command: ['/bin/server'], args: ['--port', '8080'] },
          worker: { env_vars: [{ name: 'QUEUE', value: 'default' }] },
        },
      },
    },
    components: {
      server: { name: 'server', selector: { 'app.kubernetes.io/component': 'server' } },
      worker: { name: 'worker', selector: { 'app.kubernetes.io/component': 'worker' } },
    },
    parameters: { replicas: 3, debug: true },
    services: {
      web: { name: 'web', kind: 'http', scope: 'external', port: 8080, component: 'server' },
      admin: { name: 'admin', kind: 'http', scope: 'internal', port: 9000, component: 'server' },
    },
    cluster: { domain: 'apps.example.com' },
    environment: { name: 'PROD' },
    ...overrides,
  };
}
