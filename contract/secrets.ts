/**
 * Secret parameters by reference. The value of a parameter the driver declares `secret: true`
 * lives in the deployment's Kubernetes Secret (`styrmin-deployment-<id>-secrets`), never in the
 * run's context, the actions' inputs, progress or the record's ConfigMap: there it reads as
 * {@link secretMask}. Activities that need the value (the release step's values template, the
 * `readSecretParameter` primitive) read it from the Secret.
 */
import type { ParameterInput, SecretRef } from './lifecycle.js';

/** What a secret parameter's value reads as wherever it is not needed. */
export const secretMask = '********';

/** True for a `{"secretRef": {"name": ..., "key": ...}}` value. */
export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null) return false;
  const ref = (value as { secretRef?: unknown }).secretRef;
  return (
    Object.keys(value).length === 1 &&
    typeof ref === 'object' &&
    ref !== null &&
    typeof (ref as { name?: unknown }).name === 'string' &&
    typeof (ref as { key?: unknown }).key === 'string'
  );
}

/** Input of `storeSecretParameters`: the secret values a run's input gave, to keep in the deployment's Secret. */
export interface StoreSecretParametersInput {
  deploymentId: string;
  namespace: string;
  values: Record<string, ParameterInput>;
}

/** Input of `readSecretParameter`. */
export interface ReadSecretParameterInput {
  deploymentId: string;
  namespace: string;
  /** The driver revision, whose spec says which parameters are secret and their defaults. */
  driver: { name: string; version: string };
  name: string;
}
