/** The resource types the simulated API serves, with what discovery reports about each. */

/** One served resource type (one group/version/plural). */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural resource name, as in URLs. */
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Subresources served, e.g. status, scale, exec, log. */
  subresources: string[];
  /** Whether metadata.generation is maintained (objects with a spec reconciled by a controller). */
  hasGeneration: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function type(
  group: string,
  version: string,
  resource: string,
  kind: string,
  opts: { cluster?: boolean; short?: string[]; sub?: string[]; generation?: boolean } = {},
): ResourceType {
  return {
    group,
    version,
    resource,
    kind,
    namespaced: !opts.cluster,
    shortNames: opts.short ?? [],
    subresources: opts.sub ?? [],
    hasGeneration: opts.generation ?? false,
  };
}

const workload = { sub: ['status', 'scale'], generation: true };

/** Every resource type known to the simulator. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  type('', 'v1', 'namespaces', 'Namespace', { cluster: true, short: ['ns'], sub: ['status', 'finalize'] }),
  type('', 'v1', 'nodes', 'Node', { cluster: true, short: ['no'], sub: ['status'] }),
  type('', 'v1', 'pods', 'Pod', { short: ['po'], sub: ['status', 'exec', 'log'] }),
  type('', 'v1', 'services', 'Service', { short: ['svc'], sub: ['status'] }),
  type('', 'v1', 'endpoints', 'Endpoints', { short: ['ep'] }),
  type('', 'v1', 'configmaps', 'ConfigMap', { short: ['cm'] }),
  type('', 'v1', 'secrets', 'Secret'),
  type('', 'v1', 'serviceaccounts', 'ServiceAccount', { short: ['sa'] }),
  type('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', { short: ['pvc'], sub: ['status'] }),
  type('', 'v1', 'persistentvolumes', 'PersistentVolume', { cluster: true, short: ['pv'], sub: ['status'] }),
  type('', 'v1', 'events', 'Event', { short: ['ev'] }),
  type('apps', 'v1', 'deployments', 'Deployment', { short: ['deploy'], ...workload }),
  type('apps', 'v1', 'statefulsets', 'StatefulSet', { short: ['sts'], ...workload }),
  type('apps', 'v1', 'replicasets', 'ReplicaSet', { short: ['rs'], ...workload }),
  type('apps', 'v1', 'daemonsets', 'DaemonSet', { short: ['ds'], sub: ['status'], generation: true }),
  type('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  type('batch', 'v1', 'jobs', 'Job', { sub: ['status'], generation: true }),
  type('batch', 'v1', 'cronjobs', 'CronJob', { short: ['cj'], sub: ['status'], generation: true }),
  type('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', { short: ['hpa'], sub: ['status'] }),
  type('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', { short: ['hpa'], sub: ['status'] }),
  type('networking.k8s.io', 'v1', 'ingresses', 'Ingress', { short: ['ing'], sub: ['status'], generation: true }),
  type('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', { short: ['netpol'], generation: true }),
  type('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', { cluster: true }),
  type('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', {
    short: ['pdb'],
    sub: ['status'],
    generation: true,
  }),
  type('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  type('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
  type('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', { cluster: true }),
  type('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', { cluster: true }),
  type('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', { cluster: true, short: ['sc'] }),
  type('coordination.k8s.io', 'v1', 'leases', 'Lease'),
];

/** The verbs discovery lists for every resource type. */
export const RESOURCE_VERBS = ALL_VERBS;

/** `group/version`, or just `version` for the core group. */
export function groupVersion(rt: Pick<ResourceType, 'group' | 'version'>): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** The resource name as API messages print it: `deployments.apps`, or `pods` for core. */
export function qualifiedResource(rt: Pick<ResourceType, 'group' | 'resource'>): string {
  return rt.group ? `${rt.resource}.${rt.group}` : rt.resource;
}

/** Storage key shared by every version of one group/resource. */
export function storageKey(rt: Pick<ResourceType, 'group' | 'resource'>): string {
  return `${rt.group}/${rt.resource}`;
}

/** The resource type served at group/version/plural, if any. */
export function findByPath(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((rt) => rt.group === group && rt.version === version && rt.resource === resource);
}

/** The resource type of an `apiVersion` + `kind` pair, if any. */
export function findByKind(apiVersion: string, kind: string): ResourceType | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return RESOURCE_TYPES.find((rt) => rt.group === group && rt.version === version && rt.kind === kind);
}
