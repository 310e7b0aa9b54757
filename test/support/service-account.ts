/**
 * The worker's ServiceAccount on a real cluster: applies deploy/rbac.yaml with the admin
 * credentials, requests a token for `styrmin-worker` (TokenRequest) and builds a KubeConfig (and
 * a kubeconfig file, for helm) that talks to the same server, with the same CA, as that account.
 * Also applies an edited ClusterRole (one verb taken away) for tests that show what a missing
 * right looks like, and waits until the API server's authorizer sees a change.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  type V1ClusterRole,
  type V1PolicyRule,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/** The RBAC manifest of the worker. */
export const workerRbacManifest = fileURLToPath(new URL('../../deploy/rbac.yaml', import.meta.url));

/** The ServiceAccount deploy/rbac.yaml creates, and its ClusterRole's name. */
export const workerServiceAccount = { namespace: 'styrmin', name: 'styrmin-worker', clusterRole: 'styrmin-worker' };

/** The objects of an RBAC manifest, in file order. */
export function loadManifest(file = workerRbacManifest): KubernetesObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const object = doc.toJS() as KubernetesObject | null;
    return object ? [object] : [];
  });
}

/** The ClusterRole of the manifest. */
export function workerClusterRole(file = workerRbacManifest): V1ClusterRole {
  const role = loadManifest(file).find(
    (o) => o.kind === 'ClusterRole' && o.metadata?.name === workerServiceAccount.clusterRole,
  );
  if (!role) throw new Error(`${file} has no ClusterRole "${workerServiceAccount.clusterRole}"`);
  return role as V1ClusterRole;
}

const notFound = (err: unknown) => err instanceof ApiException && err.code === 404;

/** Creates each object, or replaces it (at its current resourceVersion) when it exists. */
export async function applyObjects(adminKc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(adminKc);
  for (const object of objects) {
    const { name, namespace } = object.metadata ?? {};
    if (!name) throw new Error(`${object.kind} without metadata.name`);
    const header = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name, namespace } };
    const existing = await api.read(header).catch((err: unknown) => {
      if (notFound(err)) return null;
      throw err;
    });
    if (!existing) {
      await api.create(object);
      continue;
    }
    // A Namespace is kept as it is: replacing it would drop what others put on it.
    if (object.kind === 'Namespace') continue;
    const metadata = { ...object.metadata, resourceVersion: existing.metadata?.resourceVersion };
    await api.replace({ ...object, metadata });
  }
}

/** Applies deploy/rbac.yaml (Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding). */
export async function applyWorkerRbac(adminKc: KubeConfig, file = workerRbacManifest): Promise<void> {
  await applyObjects(adminKc, loadManifest(file));
}

/** Applies `role` in place of the worker's ClusterRole (restore with `applyClusterRole(kc, workerClusterRole())`). */
export async function applyClusterRole(adminKc: KubeConfig, role: V1ClusterRole): Promise<void> {
  await applyObjects(adminKc, [role]);
}

/** What {@link withoutVerb} takes away: `{ apiGroup: 'apps', resource: 'deployments/scale', verb: 'patch' }`. */
export interface Grant {
  /** `''` for the core group. */
  apiGroup: string;
  /** As RBAC names it, subresource included: `deployments/scale`, `pods/exec`. */
  resource: string;
  verb: string;
}

/**
 * A copy of `role` without one grant. A rule that names the resource among others is split, so
 * the other resources keep every verb and the resource keeps every other verb.
 */
export function withoutVerb(role: V1ClusterRole, grant: Grant): V1ClusterRole {
  let found = false;
  const rules = (role.rules ?? []).flatMap((rule): V1PolicyRule[] => {
    const verbs = rule.verbs ?? [];
    const matches =
      (rule.apiGroups ?? []).includes(grant.apiGroup) &&
      (rule.resources ?? []).includes(grant.resource) &&
      verbs.includes(grant.verb);
    if (!matches) return [rule];
    found = true;
    const others = (rule.resources ?? []).filter((r) => r !== grant.resource);
    const apiGroups = [grant.apiGroup];
    const otherGroups = (rule.apiGroups ?? []).filter((g) => g !== grant.apiGroup);
    const keptVerbs = verbs.filter((v) => v !== grant.verb);
    return [
      ...(otherGroups.length ? [{ ...rule, apiGroups: otherGroups }] : []),
      ...(others.length ? [{ ...rule, apiGroups, resources: others }] : []),
      ...(keptVerbs.length ? [{ ...rule, apiGroups, resources: [grant.resource], verbs: keptVerbs }] : []),
    ];
  });
  if (!found) throw new Error(`ClusterRole ${role.metadata?.name} grants no ${describeGrant(grant)}`);
  return { ...role, rules };
}

/** `patch apps/deployments/scale`. */
export function describeGrant(grant: Grant): string {
  return `${grant.verb} ${grant.apiGroup ? `${grant.apiGroup}/` : ''}${grant.resource}`;
}

/** The ServiceAccount's credentials: a KubeConfig, and the same as a file helm can read. */
export interface ServiceAccountAccess {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  /** `system:serviceaccount:styrmin:styrmin-worker`. */
  username: string;
  /** Removes the kubeconfig file. */
  close(): void;
}

/**
 * Requests a token for the worker's ServiceAccount (TokenRequest, valid `expirationSeconds`) and
 * returns credentials for it against the admin KubeConfig's server and CA.
 */
export async function serviceAccountAccess(
  adminKc: KubeConfig,
  options: { expirationSeconds?: number } = {},
): Promise<ServiceAccountAccess> {
  const { namespace, name } = workerServiceAccount;
  const core = adminKc.makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: options.expirationSeconds ?? 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ServiceAccount ${namespace}/${name} returned no token`);
  const cluster = adminKc.getCurrentCluster();
  if (!cluster) throw new Error('The admin KubeConfig has no current cluster');
  const username = `system:serviceaccount:${namespace}:${name}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ ...cluster, name: 'cluster' }],
    users: [{ name, token }],
    contexts: [{ name, cluster: 'cluster', user: name, namespace }],
    currentContext: name,
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'styrmin-sa-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig.json');
  writeFileSync(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });
  return { kubeConfig, kubeconfigPath, username, close: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asks the API server whether the KubeConfig's user may do something (SelfSubjectAccessReview). */
export async function canI(kc: KubeConfig, attributes: V1ResourceAttributes): Promise<boolean> {
  const review = await kc
    .makeApiClient(AuthorizationV1Api)
    .createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attributes } } });
  return review.status?.allowed ?? false;
}

/** Every grant of the rules, one `verb group/resource` string each (`get /secrets`, `patch apps/deployments/scale`), sorted. */
export function grantsOf(rules: V1PolicyRule[]): string[] {
  const grants = new Set<string>();
  for (const rule of rules)
    for (const apiGroup of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs) grants.add(`${verb} ${apiGroup}/${resource}`);
  return [...grants].sort();
}

/** API groups of the reviews every authenticated user may make of itself (system:basic-user). */
const selfReviewGroups = new Set(['authentication.k8s.io', 'authorization.k8s.io']);

/**
 * What the KubeConfig's user may do in `namespace`, as the API server evaluates it
 * (SelfSubjectRulesReview), in the form of {@link grantsOf}; the self-reviews everyone may make are left out.
 */
export async function effectiveGrants(kc: KubeConfig, namespace: string): Promise<string[]> {
  const review = await kc
    .makeApiClient(AuthorizationV1Api)
    .createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  if (review.status?.incomplete) throw new Error(`incomplete rules review: ${review.status.evaluationError ?? ''}`);
  const rules = (review.status?.resourceRules ?? []).map((r) => ({
    ...r,
    apiGroups: (r.apiGroups ?? []).filter((g) => !selfReviewGroups.has(g)),
  }));
  return grantsOf(rules);
}

/** `{ group, resource, subresource }` of a grant, as access reviews take them. */
export function grantAttributes(grant: Grant, namespace?: string): V1ResourceAttributes {
  const [resource, subresource] = grant.resource.split('/');
  return { verb: grant.verb, group: grant.apiGroup, resource, subresource, namespace };
}

/**
 * Waits until the authorizer answers `allowed` for the grant: RBAC changes reach it through a
 * watch, a moment after the write.
 */
export async function waitForAccess(
  kc: KubeConfig,
  attributes: V1ResourceAttributes,
  allowed: boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await canI(kc, attributes)) !== allowed) {
    if (Date.now() > deadline)
      throw new Error(`access review still says ${!allowed} after ${timeoutMs} ms: ${JSON.stringify(attributes)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
