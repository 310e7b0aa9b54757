/**
 * Where the Kubernetes connection comes from: `KUBECONFIG`, `~/.kube/config`, or the in-cluster
 * service account. Unlike client-node's `loadFromDefault`, never a silent default to localhost:8080.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';

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
    // loadFromCluster reads process.env; the address must come from the environment given here.
    const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port = '443' } = env;
    const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
    const server = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    kc.clusters = kc.clusters.map((c) => ({ ...c, server }));
    return kc;
  }
  tried.push(
    env.KUBERNETES_SERVICE_HOST
      ? `in-cluster service account (${token}: no such file)`
      : 'in-cluster service account (KUBERNETES_SERVICE_HOST unset)',
  );
  throw missing(tried);
}
