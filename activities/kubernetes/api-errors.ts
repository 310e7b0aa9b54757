/** The one place that turns Kubernetes API errors into failures an operator can act on. */
import { ApiException } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';

/** What a request was about, so a failure can name the verb, resource, namespace and object. */
export interface KubeRequest {
  /** Kubernetes verb: get, list, patch, create. */
  verb: string;
  /** Resource as RBAC names it: `deployments`, `deployments/scale`, `pods/exec`. */
  resource: string;
  namespace: string;
  name?: string;
}

const transientCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED']);

/** HTTP status of a failed request (API call or exec upgrade), if there was a response. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const upgrade = /Unexpected server response: (\d{3})/.exec(err instanceof Error ? err.message : '');
  return upgrade ? Number(upgrade[1]) : undefined;
}

/** True for conflicts, throttling, server errors and dropped or refused connections: worth another try. */
function isTransientKubeError(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status !== undefined) return status === 409 || status === 429 || status >= 500;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && transientCodes.has(code)) return true;
  if ((err as { type?: unknown }).type === 'system') return true;
  return /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|network timeout/i.test(err.message);
}

/** The API's own message from a Status body, or a short description of a network error. */
function kubeMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    let parsed: unknown = body;
    if (typeof body === 'string') {
      try {
        parsed = JSON.parse(body);
      } catch {
        return body.trim().slice(0, 500) || `HTTP ${err.code}`;
      }
    }
    const message = (parsed as { message?: unknown } | undefined)?.message;
    if (typeof message === 'string' && message) return message;
    return err.code === 401 ? 'Unauthorized' : `HTTP ${err.code}`;
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

/** Seconds the API asked to wait (Retry-After header of a 429 or 503), capped at a minute. */
function retryAfterSeconds(err: unknown): number | undefined {
  const header =
    err instanceof ApiException ? (err.headers as Record<string, string | undefined>)['retry-after'] : undefined;
  const seconds = Number(header);
  return header && Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) : undefined;
}

function describe(req: KubeRequest): string {
  const target = req.name ? `${req.resource} "${req.name}"` : req.resource;
  return `${req.verb} ${target} in namespace "${req.namespace}"`;
}

/** Turns any error of a Kubernetes request into a typed failure; the raw ApiException dump never leaves here. */
export function kubeFailure(err: unknown, req: KubeRequest): Error {
  if (err instanceof ApplicationFailure) return err;
  const status = httpStatusOf(err);
  const message = kubeMessage(err);
  const details = [{ ...req, status: status ?? null, message }];
  if (isTransientKubeError(err)) {
    const why = status ? `HTTP ${status}` : 'connection failed';
    const retryAfter = retryAfterSeconds(err);
    return ApplicationFailure.create({
      type: FailureType.KubernetesUnavailable,
      nonRetryable: false,
      message: `Kubernetes could not ${describe(req)} (${why}, will retry): ${message}`,
      details: [{ ...details[0], retryAfterSeconds: retryAfter ?? null }],
      // The API's own Retry-After (429, 503) beats the retry policy's guess.
      ...(retryAfter ? { nextRetryDelay: `${retryAfter}s` } : {}),
    });
  }
  if (status === 401 || status === 403) {
    return ApplicationFailure.create({
      type: FailureType.KubernetesRequestRejected,
      nonRetryable: true,
      message: `Kubernetes refused to ${describe(req)} (HTTP ${status}): ${message}`,
      details,
    });
  }
  if (status !== undefined) {
    return ApplicationFailure.create({
      type: FailureType.KubernetesRequestRejected,
      nonRetryable: true,
      message: `Kubernetes rejected ${describe(req)} (HTTP ${status}): ${message}`,
      details,
    });
  }
  return ApplicationFailure.create({
    type: FailureType.KubernetesUnavailable,
    nonRetryable: false,
    message: `Kubernetes request failed: ${describe(req)}: ${message}`,
    details,
  });
}

/** Attempts a read gets in one call before its transient failure goes to Temporal's retry policy. */
const readAttempts = 4;

/**
 * Runs `call` again at once when it fails transiently (a retryable KubernetesUnavailable: 429,
 * 5xx, a lost connection), after 200, 400, 800 ms or the server's Retry-After up to 5 s, at most
 * `attempts` times in all: a whole activity attempt per flaky request would make a run wait out
 * Temporal's growing backoff. Only for calls that are safe to repeat.
 */
export async function retryTransientFailures<T>(call: () => Promise<T>, attempts = readAttempts): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const transient =
        err instanceof ApplicationFailure && err.type === FailureType.KubernetesUnavailable && !err.nonRetryable;
      if (!transient || attempt >= attempts) throw err;
      const asked = (err.details?.[0] as { retryAfterSeconds?: number | null } | undefined)?.retryAfterSeconds;
      const pauseMs = Math.max(100 * 2 ** attempt, Math.min((asked ?? 0) * 1000, 5_000));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/**
 * Runs one request and maps its error; with `notFound: 'null'` a 404 resolves to null instead.
 * Reads (get, list) are tried again at once on a transient failure ({@link retryTransientFailures});
 * writes are left to their callers, who know whether repeating them is safe.
 */
export async function kubeCall<T>(req: KubeRequest, fn: () => Promise<T>): Promise<T>;
export async function kubeCall<T>(
  req: KubeRequest,
  fn: () => Promise<T>,
  opts: { notFound: 'null' },
): Promise<T | null>;
export async function kubeCall<T>(
  req: KubeRequest,
  fn: () => Promise<T>,
  opts?: { notFound: 'null' },
): Promise<T | null> {
  const call = async () => {
    try {
      return await fn();
    } catch (err) {
      if (opts?.notFound === 'null' && httpStatusOf(err) === 404) return null;
      throw kubeFailure(err, req);
    }
  };
  return retryTransientFailures(call, req.verb === 'get' || req.verb === 'list' ? readAttempts : 1);
}
