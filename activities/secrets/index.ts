/** The secret parameter activities: keep a run's secret values in the deployment's Secret, read one for an action. */
import type { KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import type { SecretActivities } from '../../contract/activities.js';
import { FailureType } from '../../contract/failures.js';
import type { ParameterValue } from '../../contract/lifecycle.js';
import { isSecretRef } from '../../contract/secrets.js';
import type { LoadedDriver } from '../../driver-spec/load.js';
import { findDriverRevision, missingDriverMessage } from '../../driver-spec/revisions.js';
import { readReferencedSecret, readStoredSecrets, secretParameterNames, secretValue, storeSecrets } from './store.js';

/** Builds `storeSecretParameters` and `readSecretParameter`. */
export function createSecretActivities(deps: {
  kubeConfig: () => KubeConfig;
  drivers: LoadedDriver[];
}): SecretActivities {
  return {
    async storeSecretParameters({ deploymentId, namespace, values }) {
      const kc = deps.kubeConfig();
      const resolved: Record<string, ParameterValue> = {};
      for (const [name, value] of Object.entries(values))
        resolved[name] = isSecretRef(value) ? await readReferencedSecret(kc, namespace, name, value) : value;
      await storeSecrets(kc, deploymentId, namespace, resolved);
      return { stored: Object.keys(resolved) };
    },

    async readSecretParameter({ deploymentId, namespace, driver, name }) {
      const found = findDriverRevision(deps.drivers, driver.name, driver.version);
      if (!found) throw new Error(missingDriverMessage(deps.drivers, driver.name, driver.version));
      if (!secretParameterNames(found.spec).includes(name))
        throw ApplicationFailure.create({
          type: FailureType.InvalidInput,
          nonRetryable: true,
          message: `"${name.slice(0, 100)}" is not a secret parameter of driver ${driver.name}@${driver.version} (its secret parameters: ${secretParameterNames(found.spec).join(', ') || 'none'}); read other parameters from the action's input`,
        });
      const stored = await readStoredSecrets(deps.kubeConfig(), deploymentId, namespace);
      return secretValue(found.spec, stored, name, { deploymentId, namespace });
    },
  };
}
