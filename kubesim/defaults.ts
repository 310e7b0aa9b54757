/** Defaulting the API server applies on create and update, for the fields the controllers and clients rely on. */
import type { Allocator } from './context.js';
import { labelSelectorPredicate, type LabelSelector } from './selectors.js';
import { invalid } from './status.js';
import type { ResourceType } from './resources.js';
import { child, isObject, type JsonObject, type KubeObject } from './util.js';

function setDefault(obj: JsonObject, key: string, value: unknown): void {
  if (obj[key] === undefined) obj[key] = value;
}

function defaultService(obj: KubeObject, previous: KubeObject | undefined, allocator: Allocator): void {
  const spec = child(obj, 'spec');
  const before = isObject(previous?.spec) ? previous.spec : {};
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.type !== 'ExternalName') {
    // ClusterIP is allocated once and kept across updates that omit it.
    setDefault(spec, 'clusterIP', before.clusterIP ?? allocator.clusterIP());
    setDefault(spec, 'clusterIPs', [spec.clusterIP]);
    setDefault(spec, 'ipFamilies', ['IPv4']);
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  }
  const oldPorts = Array.isArray(before.ports) ? before.ports.filter(isObject) : [];
  for (const port of Array.isArray(spec.ports) ? spec.ports.filter(isObject) : []) {
    setDefault(port, 'protocol', 'TCP');
    setDefault(port, 'targetPort', port.port);
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      setDefault(port, 'nodePort', oldPorts.find((p) => p.port === port.port)?.nodePort ?? allocator.nextNodePort());
    }
  }
}

function defaultSecret(obj: KubeObject): void {
  setDefault(obj, 'type', 'Opaque');
  // stringData is write-only: the API server folds it into data.
  if (isObject(obj.stringData)) {
    const data = child(obj, 'data');
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    delete obj.stringData;
  }
}

function defaultPod(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'serviceAccountName', 'default');
  setDefault(spec, 'serviceAccount', spec.serviceAccountName);
}

function defaultJob(obj: KubeObject, previous: KubeObject | undefined): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'completions', 1);
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  if (previous || spec.manualSelector === true) return;
  // The generated selector and template labels tie pods to this Job's uid, as the API server does on create.
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const templateMeta = child(child(spec, 'template'), 'metadata');
  templateMeta.labels = {
    ...(isObject(templateMeta.labels) ? templateMeta.labels : {}),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
}

function defaultWorkload(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  if (obj.kind === 'Deployment') {
    setDefault(spec, 'strategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    setDefault(spec, 'progressDeadlineSeconds', 600);
  }
  if (obj.kind === 'StatefulSet') {
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  }
}

/** Rejects workloads whose selector is missing or does not select their own pod template, as the API server does. */
function validateSelector(rt: ResourceType, obj: KubeObject): void {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const name = obj.metadata.name ?? '';
  const selector = spec.selector as LabelSelector | undefined;
  if (
    !isObject(selector) ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 &&
      (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).length === 0)
  ) {
    throw invalid(rt, obj.kind, name, 'spec.selector', 'Required value');
  }
  const template = isObject(spec.template) ? spec.template : {};
  const labels =
    isObject(template.metadata) && isObject(template.metadata.labels)
      ? (template.metadata.labels as Record<string, string>)
      : {};
  if (!labelSelectorPredicate(selector)(labels)) {
    throw invalid(rt, obj.kind, name, 'spec.template.metadata.labels', '`selector` does not match template `labels`');
  }
}

/** Fills in defaults and validates what the simulator's controllers depend on. */
export function applyDefaults(
  rt: ResourceType,
  obj: KubeObject,
  previous: KubeObject | undefined,
  allocator: Allocator,
): void {
  switch (obj.kind) {
    case 'Namespace':
      setDefault(child(obj, 'spec'), 'finalizers', ['kubernetes']);
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
      if (!isObject(obj.status) || !obj.status.phase) obj.status = { phase: 'Active' };
      return;
    case 'Service':
      return defaultService(obj, previous, allocator);
    case 'Secret':
      return defaultSecret(obj);
    case 'Pod':
      return defaultPod(obj);
    case 'Job':
      return defaultJob(obj, previous);
    case 'CronJob': {
      const spec = child(obj, 'spec');
      setDefault(spec, 'suspend', false);
      setDefault(spec, 'concurrencyPolicy', 'Allow');
      setDefault(spec, 'successfulJobsHistoryLimit', 3);
      setDefault(spec, 'failedJobsHistoryLimit', 1);
      return;
    }
    case 'PersistentVolumeClaim':
      setDefault(child(obj, 'spec'), 'volumeMode', 'Filesystem');
      if (!isObject(obj.status) || !obj.status.phase) obj.status = { phase: 'Pending' };
      return;
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      defaultWorkload(obj);
      validateSelector(rt, obj);
      return;
    case 'DaemonSet':
      setDefault(child(obj, 'spec'), 'updateStrategy', {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      });
      setDefault(child(obj, 'spec'), 'revisionHistoryLimit', 10);
      validateSelector(rt, obj);
      return;
  }
}
