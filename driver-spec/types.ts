/**
 * TypeScript types of a driver spec, derived from the schema in `driver-spec/schema.ts` so that the
 * schema stays the one contract. Versions are narrowed to strings: the loader keeps the source
 * text of unquoted YAML versions (`version: 1.10` is "1.10", never 1.1).
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { Hook, Mode } from '../contract/lifecycle.js';
import type { driverSchema } from './schema.js';

/** A `driver.styrmin.yml` document exactly as the schema accepts it (versions may be numbers). */
export type RawDriverSpec = FromSchema<typeof driverSchema>;
type RawSpecBody = RawDriverSpec['spec'];
type RawHelm = NonNullable<RawSpecBody['helm']>;

/** `spec.helm` with the pinned chart version as a string. */
export type HelmSpec = Omit<RawHelm, 'main'> & { main: Omit<RawHelm['main'], 'version'> & { version: string } };

/** The `spec` section of a loaded driver, versions as strings. */
export type DriverSpecBody = Omit<RawSpecBody, 'version' | 'default_version' | 'helm'> & {
  version: string;
  /** Absent in many original-format drivers: setup then needs an explicit `version`. */
  default_version?: string;
  helm?: HelmSpec;
};

/** A whole loaded `driver.styrmin.yml` document (apiVersion, kind, metadata, spec). */
export type DriverSpec = Omit<RawDriverSpec, 'spec'> & { spec: DriverSpecBody };

/** One entry of `spec.actions`. */
export type ActionSpec = NonNullable<DriverSpecBody['actions']>[number];
/** One entry of `spec.parameters`. */
export type ParameterSpec = NonNullable<DriverSpecBody['parameters']>[number];
/** One value of the `spec.components` map. */
export type ComponentSpec = NonNullable<DriverSpecBody['components']>[string];
/** One entry of `spec.services`. */
export type ServiceSpec = NonNullable<DriverSpecBody['services']>[number];
/** One entry of `spec.env_vars`. */
export type EnvVarSpec = NonNullable<DriverSpecBody['env_vars']>[number];
/** One entry of `spec.container_overrides`. */
export type ContainerOverrideSpec = NonNullable<DriverSpecBody['container_overrides']>[number];
/** The kind of a parameter. */
export type ParameterKind = ParameterSpec['kind'];

/** Compile-time guard: the schema's hooks and modes are exactly the contract's `Hook` and `Mode`. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type SchemaMatchesContract = Holds<Same<ActionSpec['hook'], Hook> & Same<ActionSpec['mode'], Mode>>;
