// Generated from driver.styrmin.yml by `styrmin driver types <dir>`: do not edit.
// Run it again after changing spec.parameters; `styrmin validate` warns when this file is out of date.
import type { ActionInput } from 'styrmin/actions';

/** The parameters of second-app as every action receives them: each one declared, defaults applied. */
export type Parameters = {
  /**
   * Queue the worker consumes.
   * @default "jobs"
   */
  queue_name: string;
};

/** What each action of second-app receives: `export async function smokeTest({ parameters }: Input)`. */
export type Input = ActionInput<Parameters>;
