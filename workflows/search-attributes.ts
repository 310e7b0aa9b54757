/**
 * Custom search attributes every lifecycle run sets, so operators can filter runs in Temporal
 * Web (e.g. `StyrminDeploymentId = "shop" AND StyrminStatus = "failed"`). Every place that starts
 * a dev server registers them (see `devServerSearchAttributeArgs`).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const deploymentIdKey = defineSearchAttributeKey('StyrminDeploymentId', SearchAttributeType.KEYWORD);
export const driverKey = defineSearchAttributeKey('StyrminDriver', SearchAttributeType.KEYWORD);
export const hookKey = defineSearchAttributeKey('StyrminHook', SearchAttributeType.KEYWORD);
export const targetVersionKey = defineSearchAttributeKey('StyrminTargetVersion', SearchAttributeType.KEYWORD);
export const modeKey = defineSearchAttributeKey('StyrminMode', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('StyrminStatus', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [deploymentIdKey, driverKey, hookKey, targetVersionKey, modeKey, statusKey];

/** `--search-attribute Name=Keyword` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
