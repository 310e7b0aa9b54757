/**
 * kubesim: a Kubernetes API server simulator for tests and the local quick start. It speaks the real HTTP,
 * watch and exec (WebSocket) protocols, so the real @kubernetes/client-node and helm run against it unchanged.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { applyObjects, type ApplyInput } from './apply.js';
import { Allocator, NODE_NAME, Timers, type SimContext } from './context.js';
import { startControllers } from './controllers/index.js';
import { processExecHandler } from './exec/process-handler.js';
import type { ExecHandler } from './exec/types.js';
import { FaultInjector } from './faults.js';
import type { RecordedRequest } from './http/recording.js';
import { startApiServer } from './http/server.js';
import { writeKubeconfig } from './kubeconfig.js';
import { findByKind } from './resources.js';
import { parseLabelSelector } from './selectors.js';
import { ObjectStore } from './store.js';
import { clone } from './util.js';

export type { ApplyInput } from './apply.js';
export type { ExecHandler, ExecRequest, ExecResult } from './exec/types.js';
export type { ChaosFaults, ErrorFault, FaultMatch } from './faults.js';
export { FaultInjector } from './faults.js';
export type { RecordedRequest } from './http/recording.js';
export { EXIT_CODE_ANNOTATION, NEVER_READY_ANNOTATION } from './controllers/pods.js';

/** Options of `startKubeSim`. */
export interface KubeSimOptions {
  /** Time a new pod stays Pending before it is Running and Ready. @default 300 */
  readyDelayMs?: number;
  /** Time a deleted pod stays Terminating before it disappears. @default 100 */
  terminationDelayMs?: number;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Where to write the kubeconfig. @default a new temporary directory */
  kubeconfigPath?: string;
  /** Time after which the default exec handler kills the command (exit code 137). @default 60000 */
  execTimeoutMs?: number;
}

/** A running simulator. */
export interface KubeSim {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** A kubeconfig for it: cluster and context `kubesim`, bearer-token user `kubesim-admin`, namespace `default`. */
  kubeconfigPath: string;
  /** A KubeConfig loaded from `kubeconfigPath`. */
  kubeConfig(): KubeConfig;
  /** Creates or replaces objects in-process (no HTTP, not in `requests`), like `kubectl apply`. */
  apply(objects: ApplyInput): Promise<void>;
  /** One stored object, or undefined. `namespace` is ignored for cluster-scoped kinds. */
  get<T extends KubernetesObject = KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): T | undefined;
  /** Stored objects of a kind, optionally in one namespace and matching a label selector string. */
  list<T extends KubernetesObject = KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): T[];
  /** Faults to inject into upcoming requests. */
  faults: FaultInjector;
  /** Replaces how exec runs commands; `undefined` restores the default (a local process). */
  setExecHandler(handler: ExecHandler | undefined): void;
  /** Every request received, in order (including discovery, watches and exec upgrades). */
  requests: RecordedRequest[];
  /** Stops the server, every watch and exec session and every timer; removes a temporary kubeconfig. */
  close(): Promise<void>;
}

function seed(ctx: SimContext): void {
  applyObjects(ctx, [
    ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    })),
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux' } },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
      },
    } as KubernetesObject,
  ]);
}

function resourceTypeOf(apiVersion: string, kind: string): NonNullable<ReturnType<typeof findByKind>> {
  const rt = findByKind(apiVersion, kind);
  if (!rt) throw new Error(`kubesim: ${apiVersion} ${kind} is not a served resource type`);
  return rt;
}

/** Starts a simulator on 127.0.0.1 (a free port unless given) and writes its kubeconfig. */
export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const timers = new Timers();
  const ctx: SimContext = {
    store: new ObjectStore(),
    timing: { readyDelayMs: options.readyDelayMs ?? 300, terminationDelayMs: options.terminationDelayMs ?? 100 },
    allocator: new Allocator(),
    timers,
  };
  const controllers = startControllers(ctx);
  seed(ctx);
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const defaultHandler = processExecHandler(options.execTimeoutMs ?? 60_000);
  let execHandler: ExecHandler = defaultHandler;
  const token = randomBytes(24).toString('hex');
  const server = await startApiServer(
    { ctx, faults, requests, token, execHandler: () => execHandler },
    options.host ?? '127.0.0.1',
    options.port ?? 0,
  );
  const kubeconfigPath = await writeKubeconfig(server.url, token, options.kubeconfigPath);

  return {
    url: server.url,
    kubeconfigPath,
    kubeConfig: () => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    },
    apply: async (objects) => applyObjects(ctx, objects),
    get: <T extends KubernetesObject>(
      apiVersion: string,
      kind: string,
      namespace: string | undefined,
      name: string,
    ) => {
      const found = ctx.store.get(resourceTypeOf(apiVersion, kind), namespace, name);
      return found ? (clone({ ...found, apiVersion, kind }) as unknown as T) : undefined;
    },
    list: <T extends KubernetesObject>(
      apiVersion: string,
      kind: string,
      namespace?: string,
      labelSelector?: string,
    ) => {
      const matches = parseLabelSelector(labelSelector);
      return ctx.store
        .list(resourceTypeOf(apiVersion, kind), namespace)
        .filter((o) => matches(o.metadata.labels ?? {}))
        .map((o) => ({ ...o, apiVersion, kind }) as unknown as T);
    },
    faults,
    setExecHandler: (handler) => {
      execHandler = handler ?? defaultHandler;
    },
    requests,
    close: async () => {
      controllers.stop();
      timers.close();
      await server.close();
      if (!options.kubeconfigPath) await rm(dirname(kubeconfigPath), { recursive: true, force: true });
    },
  };
}
