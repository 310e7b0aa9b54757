/** Fault injection: error answers, dropped connections and delays for the requests that match. */
import type { RequestInfo } from './http/request-info.js';
import { qualifiedResource } from './resources.js';
import { KubeError } from './status.js';
import { seededRandom } from './util.js';

/** Which requests a fault applies to; every given field must match. */
export interface FaultMatch {
  /** HTTP method, e.g. `PATCH` (case-insensitive). */
  method?: string;
  /** A substring of the request path (without the query), e.g. `/deployments/web/scale`. */
  pathIncludes?: string;
}

/** An error answer for the next `count` matching requests. */
export interface ErrorFault {
  /** HTTP status to answer, e.g. 500, 503, 429 (sent with Retry-After), 403 (message names verb, resource, namespace), 401. */
  status: number;
  /** @default 1 */
  count?: number;
  match?: FaultMatch;
  /** Overrides the Status message. */
  message?: string;
  /** Retry-After and details.retryAfterSeconds of a 429 or 503. @default 1 */
  retryAfterSeconds?: number;
  /** A write is carried out first and only its answer is replaced, as when the answer was lost. @default false */
  afterWrite?: boolean;
}

/** The outcome of the faults that matched one request. */
export interface FaultPlan {
  delayMs: number;
  /** `carriedOut`: the request is carried out first, then its answer is replaced (see {@link ChaosFaults.afterWrites}). */
  action?: ({ kind: 'error'; error: KubeError } | { kind: 'drop' }) & { carriedOut?: boolean };
}

interface Rule {
  kind: 'error' | 'drop' | 'delay';
  remaining: number;
  match?: FaultMatch;
  fault?: ErrorFault;
  ms?: number;
}

/** The user name the simulator's kubeconfig authenticates as (named in 403 messages). */
export const SIM_USER = 'kubesim-admin';

function matches(rule: Rule, method: string, path: string): boolean {
  const m = rule.match;
  if (m?.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m?.pathIncludes && !path.includes(m.pathIncludes)) return false;
  return true;
}

/** The 403 an RBAC denial of this request produces, worded as the API server words it. */
function forbiddenError(info: RequestInfo, message?: string): KubeError {
  if (!info.isResource) {
    return new KubeError(
      403,
      'Forbidden',
      message ?? `forbidden: User "${SIM_USER}" cannot ${info.verb} path "${info.path}"`,
      {},
    );
  }
  // An exec is a WebSocket GET: the API server checks `get` on pods/exec first, and names it when refusing.
  const verb = info.subresource === 'exec' ? 'get' : info.verb;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const subject = info.name ? `${qualifiedResource(info)} "${info.name}"` : qualifiedResource(info);
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  const text = `${subject} is forbidden: User "${SIM_USER}" cannot ${verb} resource "${resource}" in API group "${info.group}" ${scope}`;
  return new KubeError(403, 'Forbidden', message ?? text, { name: info.name, group: info.group, kind: info.resource });
}

function errorFor(fault: ErrorFault, info: RequestInfo): KubeError {
  const retryAfterSeconds = fault.retryAfterSeconds ?? 1;
  switch (fault.status) {
    case 403:
      return forbiddenError(info, fault.message);
    case 401:
      return new KubeError(401, 'Unauthorized', fault.message ?? 'Unauthorized');
    case 429:
      return new KubeError(429, 'TooManyRequests', fault.message ?? 'Too many requests, please try again later.', {
        retryAfterSeconds,
      });
    case 503:
      return new KubeError(
        503,
        'ServiceUnavailable',
        fault.message ?? 'the server is currently unable to handle the request',
        { retryAfterSeconds },
      );
    case 504:
      return new KubeError(
        504,
        'Timeout',
        fault.message ??
          'the server was unable to return a response in the time allotted, but may still be processing the request',
      );
    case 404:
      return new KubeError(404, 'NotFound', fault.message ?? 'the server could not find the requested resource');
    case 409:
      return new KubeError(
        409,
        'Conflict',
        fault.message ?? 'the object has been modified; please apply your changes to the latest version and try again',
      );
    default: {
      const text = fault.message ?? 'injected fault';
      return new KubeError(
        fault.status,
        fault.status >= 500 ? 'InternalError' : 'BadRequest',
        fault.status >= 500 ? `Internal error occurred: ${text}` : text,
      );
    }
  }
}

/** A share of requests that fail at random, each independently of the others. */
export interface ChaosFaults {
  /** Share of matching requests that fail, from 0 to 1 (0.2: one in five). */
  rate: number;
  /** What a failing request gets, picked at random: an error answer, or `drop` (connection closed unanswered). */
  faults: Array<Omit<ErrorFault, 'count' | 'match'> | 'drop'>;
  match?: FaultMatch;
  /** Seed of the random sequence, so a failing run can be repeated. @default 1 */
  seed?: number;
  /**
   * A 500, 502 or 504 or a dropped connection on a write (POST, PUT, PATCH, DELETE) comes after the
   * write was carried out, as when the API server did the work and its answer was lost: a client
   * cannot tell which happened, so repeating the write must be safe. @default false
   */
  afterWrites?: boolean;
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Answers that do not say whether the request was carried out. */
const ambiguousStatuses = new Set([500, 502, 504]);

/** Faults to apply to upcoming requests; each rule is used up after `count` matching requests. */
export class FaultInjector {
  private rules: Rule[] = [];
  private chaosFaults?: ChaosFaults & { random: () => number };
  /** How many requests chaos made fail, by kind (`500`, `429`, `drop`, ...). */
  readonly chaosCounts: Record<string, number> = {};

  /** Answers the next `count` matching requests with an error Status. */
  inject(fault: ErrorFault): void {
    this.rules.push({ kind: 'error', remaining: fault.count ?? 1, match: fault.match, fault });
  }

  /** Destroys the connection of the next `count` matching requests without answering. */
  dropConnections(options: { count?: number; match?: FaultMatch } = {}): void {
    this.rules.push({ kind: 'drop', remaining: options.count ?? 1, match: options.match });
  }

  /** Delays matching requests by `ms` before they are handled (all of them until cleared, unless `count` is given). */
  delay(options: { ms: number; count?: number; match?: FaultMatch }): void {
    this.rules.push({
      kind: 'delay',
      remaining: options.count ?? Number.POSITIVE_INFINITY,
      match: options.match,
      ms: options.ms,
    });
  }

  /** From now on, fails a share of matching requests at random (until `clear`). */
  chaos(options: ChaosFaults): void {
    this.chaosFaults = { ...options, random: seededRandom(options.seed ?? 1) };
  }

  /** Removes every pending fault, chaos included. */
  clear(): void {
    this.rules = [];
    this.chaosFaults = undefined;
  }

  /** Number of faults still waiting for a matching request (unlimited delays count once). */
  get pending(): number {
    return this.rules.length;
  }

  /** Consumes the faults matching one request: the summed delay, then the first error or drop. */
  take(method: string, path: string, info: RequestInfo): FaultPlan {
    const plan: FaultPlan = { delayMs: 0 };
    for (const rule of this.rules) {
      if (!matches(rule, method, path)) continue;
      if (rule.kind === 'delay') {
        plan.delayMs += rule.ms ?? 0;
        rule.remaining--;
      } else if (!plan.action) {
        plan.action =
          rule.kind === 'drop' ? { kind: 'drop' } : { kind: 'error', error: errorFor(rule.fault as ErrorFault, info) };
        if (rule.fault?.afterWrite && writeMethods.has(method.toUpperCase())) plan.action.carriedOut = true;
        rule.remaining--;
      }
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    if (!plan.action) plan.action = this.chaosAction(method, path, info);
    return plan;
  }

  private chaosAction(method: string, path: string, info: RequestInfo): FaultPlan['action'] {
    const chaos = this.chaosFaults;
    if (
      !chaos ||
      chaos.faults.length === 0 ||
      !matches({ kind: 'error', remaining: 1, match: chaos.match }, method, path)
    )
      return undefined;
    if (chaos.random() >= chaos.rate) return undefined;
    const fault = chaos.faults[Math.floor(chaos.random() * chaos.faults.length)]!;
    const carriedOut =
      chaos.afterWrites === true &&
      writeMethods.has(method.toUpperCase()) &&
      (fault === 'drop' || ambiguousStatuses.has(fault.status));
    const kind = (fault === 'drop' ? 'drop' : String(fault.status)) + (carriedOut ? ' after the write' : '');
    this.chaosCounts[kind] = (this.chaosCounts[kind] ?? 0) + 1;
    const action: FaultPlan['action'] =
      fault === 'drop' ? { kind: 'drop' } : { kind: 'error', error: errorFor(fault, info) };
    return carriedOut ? { ...action, carriedOut } : action;
  }
}
