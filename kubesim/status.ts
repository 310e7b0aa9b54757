/** `Status` objects and the error type that carries them, shaped exactly as the API server sends them. */
import { qualifiedResource, type ResourceType } from './resources.js';

/** The `details` of a Status object. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** A meta/v1 Status body. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An API error: answered to the client as a Failure Status with the given HTTP code. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'KubeError';
  }

  /** The Status body sent to the client. */
  toStatus(): StatusBody {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

/** A Failure Status body. */
export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** A Success Status body (deletions of objects that are not returned). */
export function successStatus(details?: StatusDetails): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    code: 200,
  };
}

type Rt = Pick<ResourceType, 'group' | 'resource'>;

/** 404: `deployments.apps "x" not found`. */
export function notFound(rt: Rt, name: string): KubeError {
  return new KubeError(404, 'NotFound', `${qualifiedResource(rt)} "${name}" not found`, {
    name,
    group: rt.group,
    kind: rt.resource,
  });
}

/** 409: `deployments.apps "x" already exists`. */
export function alreadyExists(rt: Rt, name: string): KubeError {
  return new KubeError(409, 'AlreadyExists', `${qualifiedResource(rt)} "${name}" already exists`, {
    name,
    group: rt.group,
    kind: rt.resource,
  });
}

/** 409 on a stale resourceVersion, with the API server's wording. */
export function conflict(rt: Rt, name: string): KubeError {
  const message = `Operation cannot be fulfilled on ${qualifiedResource(rt)} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
  return new KubeError(409, 'Conflict', message, { name, group: rt.group, kind: rt.resource });
}

/** 400 BadRequest. */
export function badRequest(message: string): KubeError {
  return new KubeError(400, 'BadRequest', message);
}

/** 422 Invalid for one field, worded like the API server's validation errors. */
export function invalid(rt: Rt, kind: string, name: string, field: string, detail: string): KubeError {
  const message = `${kind} "${name}" is invalid: ${field}: ${detail}`;
  return new KubeError(422, 'Invalid', message, {
    name,
    group: rt.group,
    kind,
    causes: [{ reason: 'FieldValueInvalid', message: detail, field }],
  });
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(): KubeError {
  return new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** 415 for request bodies in a media type the simulator does not decode. */
export function unsupportedMediaType(contentType: string): KubeError {
  return new KubeError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
  );
}
