/** Label and field selectors: the string syntax of `?labelSelector=` / `?fieldSelector=` and LabelSelector objects. */
import { badRequest } from './status.js';
import { isObject, type KubeObject } from './util.js';

/** A predicate over an object's labels. */
export type LabelPredicate = (labels: Record<string, string>) => boolean;

interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!=';
  values: string[];
}

/** Splits on commas that are not inside parentheses (`a in (x,y),b`). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseRequirement(term: string): Requirement {
  const setMatch = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const values = (setMatch[3] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return { key: setMatch[1] ?? '', op: setMatch[2] as 'in' | 'notin', values };
  }
  const opMatch = /^([^!=\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
  if (opMatch) {
    const op = opMatch[2] === '!=' ? '!=' : '=';
    return { key: opMatch[1] ?? '', op, values: [opMatch[3] ?? ''] };
  }
  if (/^!\S+$/.test(term)) return { key: term.slice(1), op: '!exists', values: [] };
  if (/^[^\s!=(),]+$/.test(term)) return { key: term, op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
    case 'in':
      return has && req.values.includes(value ?? '');
    case '!=':
    case 'notin':
      return !has || !req.values.includes(value ?? '');
  }
}

/** Parses the label selector string syntax (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`). */
export function parseLabelSelector(selector: string | undefined): LabelPredicate {
  if (!selector || selector.trim() === '') return () => true;
  const requirements = splitTopLevel(selector).map(parseRequirement);
  return (labels) => requirements.every((r) => matches(r, labels));
}

/** A meta/v1 LabelSelector object. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Predicate of a LabelSelector object; an empty selector matches everything. */
export function labelSelectorPredicate(selector: LabelSelector | undefined): LabelPredicate {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {}))
    requirements.push({ key, op: '=', values: [value] });
  for (const expr of selector?.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' }[expr.operator];
    if (!op) throw badRequest(`"${expr.operator}" is not a valid label selector operator`);
    requirements.push({ key: expr.key, op: op as Requirement['op'], values: expr.values ?? [] });
  }
  return (labels) => requirements.every((r) => matches(r, labels));
}

/** The string form of a LabelSelector object (as `status.selector` of a Scale carries it). */
export function labelSelectorString(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const expr of selector?.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort().join(',');
    if (expr.operator === 'In') parts.push(`${expr.key} in (${values})`);
    if (expr.operator === 'NotIn') parts.push(`${expr.key} notin (${values})`);
    if (expr.operator === 'Exists') parts.push(expr.key);
    if (expr.operator === 'DoesNotExist') parts.push(`!${expr.key}`);
  }
  return parts.join(',');
}

/** Value at a dotted path such as `metadata.name` or `status.phase`, as a string. */
function fieldValue(obj: KubeObject, path: string): string {
  let current: unknown = obj;
  for (const part of path.split('.')) current = isObject(current) ? current[part] : undefined;
  return current === undefined || current === null ? '' : String(current);
}

/** Parses a field selector (`metadata.name=x,status.phase!=Running`). */
export function parseFieldSelector(selector: string | undefined): (obj: KubeObject) => boolean {
  if (!selector || selector.trim() === '') return () => true;
  const terms = selector.split(',').map((term) => {
    const m = /^([\w.]+)\s*(==|!=|=)\s*(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    return { path: m[1] ?? '', negate: m[2] === '!=', value: m[3] ?? '' };
  });
  return (obj) => terms.every((t) => (fieldValue(obj, t.path) === t.value) !== t.negate);
}
