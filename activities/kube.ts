/**
 * The Kubernetes connection: where the KubeConfig comes from, and the one place that turns
 * Kubernetes API errors into failures an operator can act on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../errors.js';

/** What a request was about, so a failure can name the verb, resource, namespace and object. */
export interface KubeRequest {
  /** Kubernetes verb: get, list, patch, create. */
  verb: string;
  /** Resource as RBAC names it: `deployments`, `deployments/scale`, `pods/exec`. */
  resource: string;
  namespace: string;
  name?: string;
}

/** Where {@link loadKubeConfig} looks; tests point it elsewhere. */
export interface KubeConfigSources {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Prefix of the service account directory, as client-node's `loadFromCluster` takes it. @default '' */
  rootDir?: string;
}

/** Loads the KubeConfig from `KUBECONFIG`, `~/.kube/config` or the in-cluster service account, never a silent default. */
export function loadKubeConfig(sources: KubeConfigSources = {}): KubeConfig {
  const env = sources.env ?? process.env;
  const rootDir = sources.rootDir ?? '';
  const missing = (tried: string[]): ApplicationFailure =>
    ApplicationFailure.create({
      type: FailureType.KubeConfigMissing,
      nonRetryable: true,
      message: `No Kubernetes connection is configured; tried: ${tried.join('; ')}`,
      details: [{ tried }],
    });
  const kc = new KubeConfig();
  const fromFiles = (files: string[], origin: string): KubeConfig => {
    try {
      files.forEach((file, i) => {
        if (i === 0) return kc.loadFromFile(file);
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more);
      });
    } catch (err) {
      throw missing([`${origin}: cannot be read (${(err as Error).message})`]);
    }
    if (!kc.getCurrentCluster()) throw missing([`${origin}: no current context with a cluster`]);
    return kc;
  };
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(path.delimiter).filter((f) => f);
    const present = listed.filter((f) => fs.existsSync(f));
    if (present.length === 0) throw missing([`KUBECONFIG=${env.KUBECONFIG} (no such file)`]);
    return fromFiles(present, `KUBECONFIG=${env.KUBECONFIG}`);
  }
  const tried = ['KUBECONFIG (unset)'];
  const home = sources.homeDir ?? env.HOME ?? os.homedir();
  const homeConfig = path.join(home, '.kube', 'config');
  if (fs.existsSync(homeConfig)) return fromFiles([homeConfig], homeConfig);
  tried.push(`${homeConfig} (no such file)`);
  const token = `${rootDir}/var/run/secrets/kubernetes.io/serviceaccount/token`;
  if (env.KUBERNETES_SERVICE_HOST && fs.existsSync(token)) {
    kc.loadFromCluster(rootDir);
    return kc;
  }
  tried.push(
    env.KUBERNETES_SERVICE_HOST
      ? `in-cluster service account (${token}: no such file)`
      : 'in-cluster service account (KUBERNETES_SERVICE_HOST unset)',
  );
  throw missing(tried);
}

const transientCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED']);

/** HTTP status of a failed request (API call or exec upgrade), if there was a response. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const upgrade = /Unexpected server response: (\d{3})/.exec(err instanceof Error ? err.message : '');
  return upgrade ? Number(upgrade[1]) : undefined;
}

/** True for conflicts, throttling, server errors and dropped or refused connections: worth another try. */
export function isTransientKubeError(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status !== undefined) return status === 409 || status === 429 || status >= 500;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && transientCodes.has(code)) return true;
  if ((err as { type?: unknown }).type === 'system') return true;
  return /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|network timeout/i.test(err.message);
}

/** The API's own message from a Status body, or a short description of a network error. */
export function kubeMessage(err: unknown): string {
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
    return ApplicationFailure.create({
      type: FailureType.KubernetesUnavailable,
      nonRetryable: false,
      message: `Kubernetes could not ${describe(req)} (${why}, will retry): ${message}`,
      details,
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

/** Runs one request and maps its error; with `notFound: 'null'` a 404 resolves to null instead. */
export async function kubeCall<T>(req: KubeRequest, fn: () => Promise<T>): Promise<T>;
export async function kubeCall<T>(req: KubeRequest, fn: () => Promise<T>, opts: { notFound: 'null' }): Promise<T | null>;
export async function kubeCall<T>(req: KubeRequest, fn: () => Promise<T>, opts?: { notFound: 'null' }): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (opts?.notFound === 'null' && httpStatusOf(err) === 404) return null;
    throw kubeFailure(err, req);
  }
}
