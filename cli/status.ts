/** `styrmin status <deployment-id> -n <namespace>`: the deployment record the cluster keeps. */
import { Command } from 'commander';
import { loadKubeConfig } from '../activities/kubernetes/kubeconfig.js';
import { readDeploymentRecord } from '../activities/record/store.js';
import type { DeploymentRecord } from '../contract/record.js';

/** Prints a record with secret parameter values masked. */
export function printRecord(record: DeploymentRecord): void {
  const secret = new Set(record.secretParameters);
  console.log(`${record.deploymentId} in namespace ${record.namespace}: ${record.status}`);
  console.log(
    `  driver ${record.driver}@${record.driverVersion}, application ${record.appVersion}, Helm release ${record.release}`,
  );
  const parameters = Object.entries(record.parameters).map(
    ([name, value]) => `${name}=${secret.has(name) ? '******' : String(value)}`,
  );
  console.log(`  parameters: ${parameters.join(', ') || 'none'}`);
  console.log('  runs (oldest first):');
  for (const run of record.history) {
    const versions = `${run.fromVersion ?? '(new)'} -> ${run.toVersion}`;
    console.log(
      `    ${run.startedAt}  ${run.hook.padEnd(7)} ${versions.padEnd(18)} ${run.status.padEnd(11)} ${run.workflowId}`,
    );
    if (run.error) console.log(`      error: ${run.error}`);
    if (run.stateLeft) console.log(`      left: ${run.stateLeft}`);
    for (const decision of run.decisions ?? []) console.log(`      ${decision}`);
  }
}

/** Builds the `status` command. */
export function statusCommand(): Command {
  return new Command('status')
    .description(
      'show a deployment as the cluster records it: driver, versions, parameters, last runs (uses KUBECONFIG)',
    )
    .argument('<deployment-id>', 'the deployment id given to setup')
    .requiredOption('-n, --namespace <namespace>', 'the namespace of the deployment')
    .option('--json', 'print the record as JSON (secret values masked)')
    .action(async (deploymentId: string, options: { namespace: string; json?: boolean }) => {
      const record = await readDeploymentRecord(loadKubeConfig(), { deploymentId, namespace: options.namespace });
      if (!record) {
        console.error(`no deployment "${deploymentId}" is recorded in namespace "${options.namespace}"`);
        process.exitCode = 1;
        return;
      }
      if (!options.json) return printRecord(record);
      const masked = Object.fromEntries(
        Object.entries(record.parameters).map(([k, v]) => [k, record.secretParameters.includes(k) ? '******' : v]),
      );
      console.log(JSON.stringify({ ...record, parameters: masked }, null, 2));
    });
}
