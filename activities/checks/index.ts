/** The HTTP check primitive: real work without Kubernetes, for smoke tests of a service. */
import { ApplicationFailure } from '@temporalio/common';
import type { CheckActivities } from '../../contract/activities.js';
import type { CheckHttpInput, CheckHttpResult } from '../../contract/checks.js';
import { FailureType } from '../../contract/failures.js';

/** Statuses that say "not yet" rather than "wrong": retried with backoff. */
const transient = (status: number) => status >= 500 || status === 429 || status === 408;

/** Retryable: the service may answer once it is up; the action sees this type when retries run out. */
function unavailable(message: string, details: { url: string; status?: number }, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.ServiceUnavailable, message, details: [details], cause });
}

/** Fetches `url` once; network errors and transient statuses throw retryable failures. */
async function checkHttp(input: CheckHttpInput): Promise<CheckHttpResult> {
  const { url, status: expected = 200, bodyIncludes, timeoutSeconds = 10 } = input;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
  } catch (err) {
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw unavailable(`GET ${url} failed: ${reason}`, { url }, err instanceof Error ? err : undefined);
  }
  const body = await response.text();
  const bodyTail = body.slice(-2048);
  if (response.status !== expected && transient(response.status)) {
    const message = `GET ${url} answered ${response.status}, expected ${expected}: ${bodyTail.slice(-300)}`;
    throw unavailable(message, { url, status: response.status });
  }
  if (response.status !== expected || (bodyIncludes !== undefined && !body.includes(bodyIncludes))) {
    const why =
      response.status !== expected
        ? `answered ${response.status}, expected ${expected}`
        : `body does not contain "${bodyIncludes}"`;
    throw ApplicationFailure.create({
      type: FailureType.CheckFailed,
      nonRetryable: true,
      message: `GET ${url} ${why}: ${bodyTail.slice(-300)}`,
      details: [{ url, status: response.status, bodyTail }],
    });
  }
  return { url, status: response.status, bodyTail };
}

/** Builds the check activities; they need nothing from the worker. */
export function createCheckActivities(): CheckActivities {
  return { checkHttp };
}
