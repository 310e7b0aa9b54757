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
/** `StyrminStatus`: running, waiting, awaiting-approval, succeeded, failed or cancelled (`RunStatus`). */
export const statusKey = defineSearchAttributeKey('StyrminStatus', SearchAttributeType.KEYWORD);
/** `StyrminKind`: what a workflow is to Styrmin (`WorkflowKind`), so a list can hold runs alone. */
export const kindKey = defineSearchAttributeKey('StyrminKind', SearchAttributeType.KEYWORD);
/** `StyrminSummary`: what the workflow does, in one line; a column of Temporal Web's workflow list. */
export const summaryKey = defineSearchAttributeKey('StyrminSummary', SearchAttributeType.KEYWORD);

/** What a workflow is: a lifecycle run (setup, upgrade), one of its actions, or a deployment's lock. */
export const WorkflowKind = { Run: 'run', Action: 'action', Lock: 'lock' } as const;
export type WorkflowKind = (typeof WorkflowKind)[keyof typeof WorkflowKind];

/** Every search attribute Styrmin sets. */
export const searchAttributeKeys = [
  deploymentIdKey,
  driverKey,
  hookKey,
  targetVersionKey,
  modeKey,
  statusKey,
  kindKey,
  summaryKey,
];

/** `--search-attribute Name=Keyword` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
