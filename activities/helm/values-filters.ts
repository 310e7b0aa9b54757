/** Jinja2 filters nunjucks lacks or implements differently, for Helm values templates. */

type Kwargs = Record<string, unknown>;

/** Splits nunjucks' trailing keyword-argument object (`f(x, indent=2)`) from the positional ones. */
function kwargsOf(args: unknown[]): { positional: unknown[]; kwargs: Kwargs } {
  const last = args[args.length - 1];
  if (last && typeof last === 'object' && (last as Kwargs).__keywords === true) {
    const { __keywords: _drop, ...kwargs } = last as Kwargs;
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
}

/** A `JSON.stringify` replacer that writes every object's keys in sorted order. */
export function sortedKeys(_key: string, v: unknown): unknown {
  return v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Kwargs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v;
}

/** Jinja2's `tojson`: JSON with sorted keys, optional `indent`; undefined cannot be serialised. */
export function tojson(value: unknown, ...rest: unknown[]): string {
  const { positional, kwargs } = kwargsOf(rest);
  if (value === undefined) throw new Error('tojson: the value is undefined');
  const indent = (kwargs.indent ?? positional[0]) as number | undefined;
  return JSON.stringify(value, sortedKeys, indent ?? undefined);
}

/** Jinja2's `indent(width=4, first=False, blank=False)`: indents every line but the first. */
export function indent(text: unknown, ...rest: unknown[]): string {
  const { positional, kwargs } = kwargsOf(rest);
  const width = kwargs.width ?? positional[0] ?? 4;
  const first = Boolean(kwargs.first ?? positional[1] ?? false);
  const blank = Boolean(kwargs.blank ?? positional[2] ?? false);
  const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
  return String(text ?? '')
    .split('\n')
    .map((line, i) => ((i > 0 || first) && (blank || line.trim() !== '') ? pad + line : line))
    .join('\n');
}
