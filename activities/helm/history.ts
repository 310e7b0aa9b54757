/**
 * What helm knows about a release (`helm history`, `helm get values`), and the decision what to do
 * with a release that a dead helm client left in a pending state.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';
import { outputTail, type HelmResult } from './binary.js';

/** One revision of a release as `helm history -o json` lists it. */
export interface ReleaseRevision {
  revision: number;
  status: string;
  /** `<chart name>-<chart version>` */
  chart: string;
  appVersion: string;
  /** When the revision was created (the start of its install, upgrade or rollback). */
  updated: string;
  description: string;
}

/** Helm statuses of a revision that a running (or dead) helm client holds. */
const pendingStatuses: readonly string[] = ['pending-install', 'pending-upgrade', 'pending-rollback'];

/** Runs a helm query; the caller passes a runner already bound to the cluster connection. */
export type HelmRunner = (args: string[]) => Promise<HelmResult>;

function queryFailure(what: string, result: HelmResult): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.ReleaseFailed,
    nonRetryable: false,
    message: `helm could not ${what}: ${outputTail(result)}`,
  });
}

const notFound = /release: not found/i;

/** The release's revisions, oldest first; empty when the release does not exist. */
export async function releaseHistory(run: HelmRunner, release: string, namespace: string): Promise<ReleaseRevision[]> {
  const result = await run(['history', release, '--namespace', namespace, '--max', '20', '--output', 'json']);
  if (result.code !== 0) {
    if (notFound.test(result.stderr)) return [];
    throw queryFailure(`read the history of release "${release}" in namespace "${namespace}"`, result);
  }
  const rows = JSON.parse(result.stdout || '[]') as Array<Record<string, unknown>>;
  return rows
    .map((row) => ({
      revision: Number(row.revision),
      status: String(row.status ?? 'unknown'),
      chart: String(row.chart ?? ''),
      appVersion: String(row.app_version ?? ''),
      updated: String(row.updated ?? ''),
      description: String(row.description ?? ''),
    }))
    .sort((a, b) => a.revision - b.revision);
}

/** The values a revision was installed with (`helm get values`); they may hold secrets, so never log them. */
export async function revisionValues(
  run: HelmRunner,
  release: string,
  namespace: string,
  revision: number,
): Promise<unknown> {
  const args = ['get', 'values', release, '--namespace', namespace, '--revision', String(revision), '--output', 'json'];
  const result = await run(args);
  if (result.code !== 0) throw queryFailure(`read the values of release "${release}" revision ${revision}`, result);
  return JSON.parse(result.stdout || 'null') ?? {};
}

/** The manifest of the release's latest revision (`helm get manifest`): what an upgrade merges against. It holds Secrets, so never log it. */
export async function releaseManifest(run: HelmRunner, release: string, namespace: string): Promise<string> {
  const result = await run(['get', 'manifest', release, '--namespace', namespace]);
  if (result.code !== 0)
    throw queryFailure(`read the manifest of release "${release}" in namespace "${namespace}"`, result);
  return result.stdout;
}

/** The newest revision, or undefined for a release that does not exist. */
export function latestRevision(history: ReleaseRevision[]): ReleaseRevision | undefined {
  return history[history.length - 1];
}

/** The newest revision that ran to completion: the one to roll back to. */
export function lastGoodRevision(history: ReleaseRevision[]): ReleaseRevision | undefined {
  return [...history].reverse().find((r) => r.status === 'deployed' || r.status === 'superseded');
}

/** What to do before a release step, given the release's history. */
export type PendingRecovery =
  | { kind: 'none' }
  | { kind: 'wait'; pending: ReleaseRevision; ageMs: number }
  | { kind: 'rollback'; pending: ReleaseRevision; to: ReleaseRevision }
  | { kind: 'uninstall'; pending: ReleaseRevision };

/**
 * A pending revision younger than `staleAfterMs` may belong to a helm that is still working
 * (helm ends every operation within its --timeout), so it is waited for; an older one was left
 * by a dead client and is rolled back to the last good revision, or uninstalled if none exists.
 * A revision started at or after `abandonedSinceMs` is recovered at once: an earlier attempt of
 * the same step started it, and that attempt has ended, its helm with it (binary.ts).
 */
export function planPendingRecovery(
  history: ReleaseRevision[],
  now: Date,
  staleAfterMs: number,
  abandonedSinceMs?: number,
): PendingRecovery {
  const latest = latestRevision(history);
  if (!latest || !pendingStatuses.includes(latest.status)) return { kind: 'none' };
  const started = Date.parse(latest.updated);
  const ageMs = Number.isNaN(started) ? Number.POSITIVE_INFINITY : now.getTime() - started;
  const abandoned = abandonedSinceMs !== undefined && started >= abandonedSinceMs;
  if (ageMs < staleAfterMs && !abandoned) return { kind: 'wait', pending: latest, ageMs };
  const to = lastGoodRevision(history);
  return to ? { kind: 'rollback', pending: latest, to } : { kind: 'uninstall', pending: latest };
}
