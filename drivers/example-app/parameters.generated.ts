// Generated from driver.styrmin.yml by `styrmin driver types <dir>`: do not edit.
// Run it again after changing spec.parameters; `styrmin validate` warns when this file is out of date.
import type { ActionInput } from 'styrmin/actions';

/** The parameters of example-app as every action receives them: each one declared, defaults applied. */
export type Parameters = {
  /**
   * Server replicas.
   * From 1 to 10.
   * @default 1
   */
  replicas: number;
  /**
   * Log level.
   * @default "info"
   */
  log_level: 'debug' | 'info' | 'warning';
  /**
   * Initial admin password. Left empty, the chart generates one.
   * Secret: reads as the mask "********" here; `readSecretParameter('admin_password')` gives the value.
   */
  admin_password: string;
  /**
   * Expose Prometheus metrics.
   * @default false
   */
  enable_metrics: boolean;
};

/** What each action of example-app receives: `export async function smokeTest({ parameters }: Input)`. */
export type Input = ActionInput<Parameters>;
