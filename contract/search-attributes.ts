/**
 * Custom search attributes every lifecycle run sets, so operators can filter runs in Temporal
 * Web (e.g. `StyrminDeploymentId = "shop" AND StyrminStatus = "failed"`). Every place that starts
 * a dev server registers them (see `devServerSearchAttributeArgs`).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** `StyrminDeploymentId`: the deployment a run works on. */
export const deploymentIdKey = defineSearchAttributeKey('StyrminDeploymentId', SearchAttributeType.KEYWORD);
/** `StyrminDriver`: the driver's name. */
export const driverKey = defineSearchAttributeKey('StyrminDriver', SearchAttributeType.KEYWORD);
/** `StyrminHook`: setup or upgrade. */
export const hookKey = defineSearchAttributeKey('StyrminHook', SearchAttributeType.KEYWORD);
/** `StyrminTargetVersion`: the application version the run moves to. */
export const targetVersionKey = defineSearchAttributeKey('StyrminTargetVersion', SearchAttributeType.KEYWORD);
/** `StyrminMode`: the mode the run is in, or failed in. */
export const modeKey = defineSearchAttributeKey('StyrminMode', SearchAttributeType.KEYWORD);
/** `StyrminStatus`: running, succeeded or failed. */
export const statusKey = defineSearchAttributeKey('StyrminStatus', SearchAttributeType.KEYWORD);

/** Every search attribute a run sets. */
export const searchAttributeKeys = [deploymentIdKey, driverKey, hookKey, targetVersionKey, modeKey, statusKey];

/** `--search-attribute Name=Keyword` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
