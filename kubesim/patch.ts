/** The PATCH media types: JSON merge patch, JSON patch, strategic merge patch, and apply (approximated). */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { strategicMerge } from './strategic-merge.js';
import { KubeError, unsupportedMediaType } from './status.js';
import { clone, isObject } from './util.js';

/** The patch media types the API accepts, as `PatchStrategy` in client-node names them. */
export const PatchType = {
  Json: 'application/json-patch+json',
  Merge: 'application/merge-patch+json',
  Strategic: 'application/strategic-merge-patch+json',
  Apply: 'application/apply-patch+yaml',
} as const;

/** One of the patch media types. */
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

/** The patch type of a Content-Type header (parameters such as charset ignored). */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const base = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const known = Object.values(PatchType).find((t) => t === base);
  if (!known) throw unsupportedMediaType(base || '(none)');
  return known;
}

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902 JSON patch; a failing operation is a 422, as the API server answers. */
function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch))
    throw new KubeError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return fastJsonPatch.applyPatch(clone(target), patch as Operation[], true, false).newDocument;
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new KubeError(422, 'Invalid', `the server rejected our request due to an error in our request: ${detail}`);
  }
}

/** Applies a patch body of the given type to an object. */
export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case PatchType.Json:
      return jsonPatch(target, patch);
    case PatchType.Merge:
      return mergePatch(target, patch);
    // Server-side apply is approximated by a strategic merge of the applied configuration.
    case PatchType.Strategic:
    case PatchType.Apply:
      return strategicMerge(target, patch);
  }
}
