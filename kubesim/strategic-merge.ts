/**
 * Strategic merge patch, the dialect kubectl and helm send: lists of objects merge by their merge key,
 * `$patch`, `$retainKeys`, `$setElementOrder/` and `$deleteFromPrimitiveList/` directives are honoured.
 */
import { badRequest } from './status.js';
import { clone, deepEqual, isObject, type JsonObject } from './util.js';

/** Merge keys of the built-in list fields declared `patchStrategy: merge` (field name → key). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  resourceClaims: 'name',
  topologySpreadConstraints: 'topologyKey',
  secrets: 'name',
};

/** Primitive lists declared `patchStrategy: merge` (union instead of replace). */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

/** The merge key of a list field, or undefined when the list is replaced whole. */
function mergeKeyOf(field: string, original: unknown[], patch: unknown[]): string | undefined {
  const items = [...original, ...patch].filter((i) => !(isObject(i) && Object.keys(i).length === 1 && '$patch' in i));
  if (items.length === 0 || !items.every(isObject)) return undefined;
  if (field === 'ports') return items.every((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  const known = MERGE_KEYS[field];
  if (known) return known;
  // Lists of named objects merge by name (a deliberate widening for fields the table above does not list).
  return items.every((i) => isObject(i) && typeof i.name === 'string') ? 'name' : undefined;
}

function mergeList(field: string, original: unknown[], patch: unknown[]): unknown[] {
  if (patch.some((i) => isObject(i) && i.$patch === 'replace')) {
    return patch.filter((i) => !(isObject(i) && i.$patch === 'replace')).map((i) => strip(i));
  }
  const key = mergeKeyOf(field, original, patch);
  if (!key) {
    if (MERGED_PRIMITIVE_LISTS.has(field))
      return [...original, ...patch.filter((p) => !original.some((o) => deepEqual(o, p)))];
    return patch.map((i) => strip(i));
  }
  const result = original.map((i) => clone(i));
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`unable to find api field in struct for the list element of "${field}"`);
    const index = result.findIndex((o) => isObject(o) && deepEqual(o[key], item[key]));
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMerge(result[index], item);
    } else {
      result.push(strip(item));
    }
  }
  return result;
}

/** Orders a merged list by a `$setElementOrder` list; elements it does not name keep their order after it. */
function orderList(list: unknown[], order: unknown[], field: string): unknown[] {
  const key = mergeKeyOf(field, list, order);
  const identity = (i: unknown): unknown => (key && isObject(i) ? i[key] : i);
  const ranked = order.map(identity);
  const inOrder = ranked.flatMap((id) => list.filter((i) => deepEqual(identity(i), id)));
  return [...inOrder, ...list.filter((i) => !ranked.some((id) => deepEqual(identity(i), id)))];
}

/** Removes directive keys from a value that is inserted as is. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (!isObject(value)) return clone(value);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = strip(v);
  return out;
}

/** Applies a strategic merge patch to a JSON value. */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return strip(patch);
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(target) ? clone(target) : {};
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const current = result[key];
    if (value === null) delete result[key];
    else if (Array.isArray(value) && Array.isArray(current)) result[key] = mergeList(key, current, value);
    else if (Array.isArray(value)) result[key] = mergeList(key, [], value);
    else if (isObject(value)) {
      const merged = strategicMerge(current, value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  for (const [key, value] of Object.entries(patch)) {
    const deleteFrom = /^\$deleteFromPrimitiveList\/(.+)$/.exec(key)?.[1];
    const current = deleteFrom ? result[deleteFrom] : undefined;
    if (deleteFrom && Array.isArray(current) && Array.isArray(value)) {
      result[deleteFrom] = current.filter((i) => !value.some((v) => deepEqual(v, i)));
    }
    const orderField = /^\$setElementOrder\/(.+)$/.exec(key)?.[1];
    const list = orderField ? result[orderField] : undefined;
    if (orderField && Array.isArray(list) && Array.isArray(value))
      result[orderField] = orderList(list, value, orderField);
  }
  return result;
}
