import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import { renderValues, renderValuesText } from '../../activities/helm/values.js';
import { makeContext } from './context.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

/** Runs `fn`, expecting a TemplateError failure; returns its message. */
function templateError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(FailureType.TemplateError);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a template error');
}

describe('values templates', () => {
  it('renders a template that uses every context key and helper', async () => {
    const values = await renderValues(path.join(here, 'drivers/every-key'), makeContext());
    expect(values).toEqual({
      app: { name: 'shop', version: '2.4.1', chart: 'oci://registry.example.com/charts/shop@1.2.0' },
      instance: { namespace: 'shop', release: 'shop-prod', tier: 'GOLD' },
      deployment: 'shop-prod/shop',
      cluster: 'apps-example-com',
      environment: 'prod',
      parameters: { replicas: 3, debug: true, greeting: 'hello' },
      selectors: {
        server: { 'app.kubernetes.io/component': 'server' },
        worker: { 'app.kubernetes.io/component': 'worker' },
      },
      url: 'http://shop-prod.apps.example.com:8080',
      ports: [8080, 9000],
      hosts: 'a,b',
      server: {
        env: [
          { name: 'LOG_FORMAT', value: 'json' },
          { name: 'WORKERS', value: '4' },
        ],
        command: ['/bin/server'],
        args: ['--port', '8080'],
      },
      worker: { env: [{ name: 'QUEUE', value: 'default' }], command: null, args: null },
      debugPort: 5005,
    });
  });

  it('renders the example-app driver template with defaults, filters and a secret parameter', async () => {
    const context = makeContext({
      app: { name: 'example-app', version: '1.3.0', chart: null },
      parameters: { replicas: 2, log_level: 'DEBUG', enable_metrics: true, admin_password: 'pa"ss: word' },
      components: {
        server: { name: 'server', selector: {} },
        'task-worker': { name: 'task-worker', selector: {} },
      },
      instance: {
        namespace: 'ex',
        release: 'ex',
        config: { components: { 'task-worker': { args: ['--queues', 'mail'] } } },
      },
    });
    const values = await renderValues(path.join(repo, 'drivers/example-app'), context);
    expect(values).toEqual({
      image: { tag: '1.3.0' },
      logLevel: 'debug',
      metrics: { enabled: true },
      adminPassword: 'pa"ss: word',
      service: { port: 8080 },
      podAnnotations: {},
      server: { replicas: 2, command: null, args: null, env: [] },
      taskWorker: { replicas: 2, command: null, args: ['--queues', 'mail'], env: [] },
    });
  });

  it('applies template defaults when optional parameters are absent', async () => {
    const context = makeContext({
      app: { name: 'example-app', version: '1.0.0', chart: null },
      parameters: {},
      components: { server: { name: 'server', selector: {} }, 'task-worker': { name: 'task-worker', selector: {} } },
    });
    const values = await renderValues(path.join(repo, 'drivers/example-app'), context);
    expect(values).toMatchObject({
      logLevel: 'info',
      metrics: { enabled: false },
      adminPassword: '',
      server: { replicas: 1 },
    });
  });

  it('keeps Jinja2 whitespace control: {%- trims, the newline after a tag stays', () => {
    const text = 'a: 1\n{%- if true %}\nb: 2\n{%- endif %}\n{#- comment #}\nc: {{ 3 }}\n';
    expect(renderValuesText(text, 'ws.j2.yml', makeContext())).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('names the file and line of an undefined value', () => {
    const message = templateError(() =>
      renderValuesText('a: 1\nb: 2\nc: {{ parameters.replicsa }}\n', 'drv/values.j2.yml', makeContext()),
    );
    expect(message).toMatch(/drv\/values\.j2\.yml line 3: .*undefined/);
  });

  it('names the line of an unknown filter and of an unknown function', () => {
    expect(templateError(() => renderValuesText('a: 1\n\nb: {{ 1 | frobnicate }}', 'f.yml', makeContext()))).toMatch(
      /f\.yml line 3: filter not found: frobnicate/,
    );
    expect(templateError(() => renderValuesText('a: 1\nb: {{ nope() }}', 'f.yml', makeContext()))).toMatch(
      /f\.yml line 2: Unable to call `nope`/,
    );
  });

  it('names the component a helper does not know, at the line that calls it', () => {
    const message = templateError(() =>
      renderValuesText('a: 1\nb: {{ component_args("db") | tojson }}', 'f.yml', makeContext()),
    );
    expect(message).toMatch(/f\.yml line 2: unknown component "db" \(components: server, worker\)/);
  });

  it('reports a syntax error and an unclosed block', () => {
    expect(templateError(() => renderValuesText('a: {{ 1 + }}', 'f.yml', makeContext()))).toMatch(
      /f\.yml line 1: unexpected token/,
    );
    expect(templateError(() => renderValuesText('a: 1\n{% if true %}\nb: 2\n', 'f.yml', makeContext()))).toMatch(
      /f\.yml line 4: .*endif/,
    );
  });

  it('rejects output that is not a YAML mapping', () => {
    expect(templateError(() => renderValuesText('- a\n- b\n', 'f.yml', makeContext()))).toMatch(
      /must be a YAML mapping, got a list/,
    );
    expect(templateError(() => renderValuesText('{{ "just text" }}', 'f.yml', makeContext()))).toMatch(/got string/);
    expect(templateError(() => renderValuesText('a: 1\na: 2\n', 'f.yml', makeContext()))).toMatch(
      /not valid YAML: Map keys must be unique/,
    );
  });

  it('treats an empty rendering as no values and a missing template as none', async () => {
    expect(renderValuesText('{# nothing #}\n', 'f.yml', makeContext())).toEqual({});
    expect(await renderValues(path.join(here, 'drivers/none'), makeContext())).toEqual({});
  });

  it('never lets a template change the run context', () => {
    const context = makeContext();
    renderValuesText('{% set _ = components.server.selector.update({"x": "y"}) %}a: 1', 'f.yml', context);
    expect(context.components.server?.selector).toEqual({ 'app.kubernetes.io/component': 'server' });
  });
});
