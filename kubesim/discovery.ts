/** Discovery documents: /version, /api, /api/v1, /apis, /apis/<group>[/<version>] and the OpenAPI endpoints. */
import { groupVersion, RESOURCE_TYPES, RESOURCE_VERBS, type ResourceType } from './resources.js';

/** The Kubernetes version the simulator reports. */
export const SIMULATED_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

/** Body of /version. */
export function versionInfo(): Record<string, string> {
  return {
    ...SIMULATED_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-12-11T00:00:00Z',
    goVersion: 'go1.23.3',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Named groups in the order they were first listed, each with its versions (preferred first). */
function groups(): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const rt of RESOURCE_TYPES) {
    if (!rt.group) continue;
    const versions = result.get(rt.group) ?? [];
    if (!versions.includes(rt.version)) versions.push(rt.version);
    result.set(rt.group, versions);
  }
  return result;
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** Body of /api. */
export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** Body of /apis. */
export function groupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups()].map(([name, versions]) => apiGroup(name, versions)),
  };
}

/** Body of /apis/<group>, or undefined for an unknown group. */
export function groupInfo(name: string): Record<string, unknown> | undefined {
  const versions = groups().get(name);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(name, versions) } : undefined;
}

function subresourceEntry(rt: ResourceType, sub: string): Record<string, unknown> {
  const base = { name: `${rt.resource}/${sub}`, singularName: '', namespaced: rt.namespaced };
  switch (sub) {
    case 'scale':
      return { ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'exec':
      return { ...base, kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'log':
      return { ...base, kind: 'Pod', verbs: ['get'] };
    case 'finalize':
      return { ...base, kind: rt.kind, verbs: ['update'] };
    default:
      return { ...base, kind: rt.kind, verbs: ['get', 'patch', 'update'] };
  }
}

/** Body of /api/v1 or /apis/<group>/<version>, or undefined for an unknown group version. */
export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const types = RESOURCE_TYPES.filter((rt) => rt.group === group && rt.version === version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((rt) => [
    {
      name: rt.resource,
      singularName: rt.kind.toLowerCase(),
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: RESOURCE_VERBS,
      ...(rt.shortNames.length > 0 ? { shortNames: rt.shortNames } : {}),
    },
    ...rt.subresources.map((sub) => subresourceEntry(rt, sub)),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}
