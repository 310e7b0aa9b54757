/**
 * The helm post-renderer that keeps stopped workloads stopped: a small CommonJS program the release
 * step writes into its private helm workdir and helm runs as `node <script> <plan.json>`. It reads
 * helm's rendered manifest on stdin and writes it back with `spec.replicas: 0` on the stopped
 * Deployments and StatefulSets and `spec.suspend: true` on the stopped CronJobs the plan names.
 *
 * It is plain JavaScript kept as text because helm runs it as its own process, and the sources
 * this file lives in are TypeScript under the tests: written out at run time, it runs the same
 * from `dist/` and from the sources.
 */
import { createRequire } from 'node:module';
import type { WorkloadKind } from '../../contract/kubernetes.js';

/** One workload the post-renderer must keep stopped. */
export interface KeepStoppedEntry {
  kind: WorkloadKind;
  name: string;
  /**
   * Deployments and StatefulSets: the release's current manifest sets `spec.replicas`. The replicas
   * are then set to 0 even when the new manifest omits them: helm would otherwise remove the field
   * and the API server would default it to 1.
   */
  replicasInRelease: boolean;
}

/** What the post-renderer reads from its plan file. */
export interface KeepStoppedPlan {
  /** The release's namespace: objects rendered without one land there. */
  namespace: string;
  workloads: KeepStoppedEntry[];
}

/**
 * The program. Documents are split the way Kubernetes' YAML reader splits them (a line starting
 * with `---` followed by nothing but a comment), and only the documents it changes are parsed and
 * written again, so every other object reaches helm byte for byte. YAML 1.1 is what helm's own
 * parser speaks, so a rewritten document means the same to helm.
 */
const program = (yamlModule: string): string => `'use strict';
const fs = require('node:fs');
const { parseDocument } = require(${JSON.stringify(yamlModule)});

function main() {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const out = [];
  let lines = [];
  const endDocument = () => {
    if (lines.length) out.push(keepStopped(lines.join('\\n'), plan));
    lines = [];
  };
  for (const line of fs.readFileSync(0, 'utf8').split('\\n')) {
    if (/^---[ \\t]*(#.*)?$/.test(line)) {
      endDocument();
      out.push(line);
    } else lines.push(line);
  }
  endDocument();
  process.stdout.write(out.join('\\n'));
}

function keepStopped(text, plan) {
  const doc = parseDocument(text, { version: '1.1' });
  if (doc.errors.length) return text; // helm reports it with its own message
  const object = doc.toJS() || {};
  const meta = object.metadata || {};
  const entry = plan.workloads.find((w) => w.kind === object.kind && w.name === meta.name && (meta.namespace || plan.namespace) === plan.namespace);
  if (!entry) return text;
  if (entry.kind === 'CronJob') doc.setIn(['spec', 'suspend'], true);
  else if (entry.replicasInRelease || doc.hasIn(['spec', 'replicas'])) doc.setIn(['spec', 'replicas'], 0);
  else return text; // neither manifest sets replicas: helm leaves the live count (0) alone
  const written = doc.toString({ lineWidth: 0 });
  return text.endsWith('\\n') ? written : written.replace(/\\n$/, '');
}

try {
  main();
} catch (err) {
  process.stderr.write('styrmin post-renderer (keeping stopped workloads stopped) failed: ' + (err && err.message ? err.message : err) + '\\n');
  process.exit(1);
}
`;

/** The post-renderer's source, bound to this installation's `yaml` package. */
export function keepStoppedProgram(): string {
  return program(createRequire(import.meta.url).resolve('yaml'));
}
