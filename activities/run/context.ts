/** Building a run's frozen context from the driver spec and the operator's input. */
import type { LoadedDriver } from '../../driver-spec/load.js';
import type { HookInput, ParameterValue } from '../../contract/lifecycle.js';
import type { ReleaseSettings, ComponentRef, RunContext, ServiceRef } from '../../contract/run-context.js';

/** Cluster- and environment-level configuration the worker adds to every context. */
export interface ContextDefaults {
  cluster?: Record<string, unknown>;
  environment?: Record<string, unknown>;
  /** Chart locations that replace a driver's `helm.main.location`, by driver name (mirrors, air-gapped registries). */
  chartLocations?: Record<string, string>;
}

/** The context every template and action of a run sees. */
export function buildContext(
  driver: LoadedDriver,
  input: HookInput,
  resolved: { version: string; parameters: Record<string, ParameterValue> },
  defaults: ContextDefaults = {},
): RunContext {
  const { spec } = driver.spec;
  const components: Record<string, ComponentRef> = {};
  for (const [name, component] of Object.entries(spec.components ?? {})) {
    components[name] = { name, selector: { ...component.identifier.label } };
  }
  const services: Record<string, ServiceRef> = {};
  for (const service of spec.services ?? []) {
    services[service.name] = {
      name: service.name,
      kind: service.kind,
      scope: service.scope,
      port: service.port,
      component: service.component,
    } as ServiceRef;
  }
  return {
    deployment: { id: input.deploymentId, namespace: input.namespace },
    driver: { name: driver.name, version: driver.version },
    app: {
      name: driver.name,
      version: resolved.version,
      chart: spec.helm
        ? {
            location: defaults.chartLocations?.[driver.name] ?? spec.helm.main.location,
            version: spec.helm.main.version,
          }
        : null,
    },
    instance: { namespace: input.namespace, release: input.deploymentId, config: input.config ?? {} },
    components,
    parameters: resolved.parameters,
    services,
    cluster: defaults.cluster ?? {},
    environment: defaults.environment ?? {},
  };
}

/** The driver's settings of the built-in release step. */
export function releaseSettings(driver: LoadedDriver): ReleaseSettings {
  const helm = driver.spec.spec.helm;
  return {
    timeoutSeconds: helm?.timeout ? durationSeconds(helm.timeout) : undefined,
    onFailure: helm?.on_failure,
  };
}

/** Seconds in a Go-style duration such as "1m30s" (the schema has checked the form). */
function durationSeconds(text: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, amount, suffix] of text.matchAll(/([0-9.]+)(ms|s|m|h)/g)) total += Number(amount) * unit[suffix!]!;
  return Math.ceil(total);
}
