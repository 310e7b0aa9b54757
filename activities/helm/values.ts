/**
 * Renders a driver's `values.j2.yml` (Jinja2) with the run's context into Helm values.
 *
 * Engine: nunjucks with its Jinja2 compatibility layer. It keeps Jinja2's default whitespace
 * rules (`{%-`/`-%}` trim, the newline after a block tag stays), which YAML templates depend on,
 * and reports where an error happened. @huggingface/jinja drops the newline after every block tag
 * (chat-template style) and reports no line numbers, so real driver templates break with it.
 * Outputting an undefined or null value is an error (like Jinja2's StrictUndefined): a typo in a
 * parameter name must not silently become an empty Helm value. See docs/release.md.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { parseDocument } from 'yaml';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import type { RunContext } from '../../contract/run-context.js';
import { indent, tojson } from './values-filters.js';

nunjucks.installJinjaCompat();

/** File name of the values template inside a driver folder. */
const valuesTemplateFile = 'values.j2.yml';

type Kwargs = Record<string, unknown>;

/** The operator's per-component overrides: `instance.config.components.<name>`. */
function componentOverrides(context: RunContext, name: unknown): Kwargs {
  const all = (context.instance.config.components ?? {}) as Record<string, Kwargs>;
  if (typeof name !== 'string' || !(name in context.components || name in all)) {
    const known = Object.keys(context.components).join(', ') || 'none';
    throw new Error(`unknown component ${JSON.stringify(name)} (components: ${known})`);
  }
  return all[name] ?? {};
}

function argvOf(value: unknown, what: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  throw new Error(`${what} must be a list of strings`);
}

/** The variables a values template sees: the context plus the component helpers. */
function templateVariables(context: RunContext): Record<string, unknown> {
  // A copy: jinja-compat gives templates list.append and dict.update, which must not touch the run's context.
  const ctx = structuredClone(context);
  return {
    ...ctx,
    /**
     * The operator's environment variables for the component, from
     * `instance.config.components.<name>.env_vars` (a map, or a list of `{name, value}`), as a list of
     * `{name, value}` with string values; `[]` when there are none. An unknown component is an error.
     */
    component_env_vars: (name: unknown) => {
      const env = componentOverrides(ctx, name).env_vars ?? [];
      const list = Array.isArray(env)
        ? (env as Kwargs[])
        : Object.entries(env).map(([k, v]) => ({ name: k, value: v }));
      return list.map((e) => ({ name: String(e.name), value: e.value === undefined ? '' : String(e.value) }));
    },
    /**
     * The operator's command for the component's container, from `instance.config.components.<name>.command`,
     * as a list of strings (a single string becomes a list of one); null when unset. An unknown
     * component is an error.
     */
    component_command: (name: unknown) => argvOf(componentOverrides(ctx, name).command, `command of component ${name}`),
    /**
     * The operator's arguments for the component's container, from `instance.config.components.<name>.args`,
     * as a list of strings (a single string becomes a list of one); null when unset. An unknown
     * component is an error.
     */
    component_args: (name: unknown) => argvOf(componentOverrides(ctx, name).args, `args of component ${name}`),
  };
}

const environment = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, dev: true });
environment.addFilter('tojson', tojson);
environment.addFilter('indent', indent);

function templateFailure(file: string, line: number | undefined, cause: string): ApplicationFailure {
  const where = line ? `${file} line ${line}` : file;
  return ApplicationFailure.create({
    type: FailureType.TemplateError,
    nonRetryable: true,
    message: `Values template ${where}: ${cause}`,
    details: [{ file, line: line ?? null, cause }],
  });
}

/** Line of a nunjucks error, 1-based; its numbering differs by where the error arose (see docs). */
function errorLine(err: Error & { lineno?: number }, stage: 'compile' | 'render', text: string): number | undefined {
  const cause = err.message;
  const named = /filter not found: (\S+)|Unable to call `([^`[]+)/.exec(cause);
  // Filters carry no position at all: find the line that uses the name.
  if (named?.[1]) {
    const index = text.split('\n').findIndex((l) => new RegExp(`\\|\\s*${named[1]}\\b`).test(l));
    return index >= 0 ? index + 1 : undefined;
  }
  // The parser loses its position only when the text ends early (an unclosed tag or call).
  const atEnd = /end of file/.test(cause) || (stage === 'compile' && typeof err.lineno !== 'number');
  if (atEnd) return text.split('\n').length;
  if (typeof err.lineno !== 'number') return undefined;
  // Parser and undefined-output errors count from 1; errors raised while calling count from 0.
  const oneBased = stage === 'compile' || cause.includes('attempted to output null or undefined');
  return oneBased ? err.lineno : err.lineno + 1;
}

/** Renders template text to Helm values; throws a TemplateError failure naming the file and line. */
export function renderValuesText(templateText: string, fileName: string, context: RunContext): Record<string, unknown> {
  let stage: 'compile' | 'render' = 'compile';
  let rendered: string;
  try {
    const template = new nunjucks.Template(templateText, environment, fileName, true);
    stage = 'render';
    rendered = template.render(templateVariables(context));
  } catch (e) {
    const err = e as Error & { lineno?: number };
    const cause = err.message.replace(/^\(.*?\)( \[Line \d+(, Column \d+)?\])?\s*/s, '').replace(/^Error: /, '');
    const unclosed = stage === 'compile' && err.message.includes('TypeError');
    throw templateFailure(
      fileName,
      errorLine(err, stage, templateText),
      unclosed ? 'the template ends inside an unclosed tag or expression' : cause,
    );
  }
  const doc = parseDocument(rendered);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0].line;
    const text = line ? rendered.split('\n')[line - 1]?.trim() : undefined;
    throw templateFailure(
      fileName,
      undefined,
      `rendered output is not valid YAML: ${yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` +
        (line ? ` (rendered line ${line}: ${JSON.stringify(text)})` : ''),
    );
  }
  const values: unknown = doc.toJS();
  if (values === null || values === undefined) return {}; // nothing set: the chart's defaults apply
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw templateFailure(
      fileName,
      undefined,
      `rendered output must be a YAML mapping, got ${Array.isArray(values) ? 'a list' : typeof values}`,
    );
  }
  return values as Record<string, unknown>;
}

/** Renders `<driverDir>/values.j2.yml` with the run's context; a driver without one gets `{}`. */
export async function renderValues(driverDir: string, context: RunContext): Promise<Record<string, unknown>> {
  const file = path.join(driverDir, valuesTemplateFile);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  return renderValuesText(text, file, context);
}
