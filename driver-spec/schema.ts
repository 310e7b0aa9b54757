/**
 * JSON Schema of `driver.styrmin.yml`: the one contract of the driver format. `driver-spec/types.ts`
 * derives the TypeScript types from it and `driver-spec/schema.json` is written from it
 * (`npx tsx driver-spec/write-schema.ts`), so editors can validate driver files too.
 *
 * Pure data, no imports: workflow code may import it.
 */

/** A version written quoted or unquoted in YAML (`"3"`, `3`, `1.10`); the loader keeps the source text. */
const versionText = {
  type: ['string', 'number'],
  pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]*$',
  description: 'a version such as "3", "1.2.0" or "2.4.1-rc1" (letters, digits, ".", "_", "+", "-")',
} as const;

const nameText = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  description: 'a name of letters, digits, ".", "_" and "-", starting with a letter or digit',
} as const;

const component = {
  type: 'object',
  required: ['identifier'],
  additionalProperties: false,
  properties: {
    identifier: {
      type: 'object',
      required: ['label'],
      additionalProperties: false,
      properties: {
        label: {
          type: 'object',
          minProperties: 1,
          additionalProperties: { type: 'string' },
          description: 'Kubernetes labels (name: value) that select the workloads and pods of the component',
        },
      },
    },
    backup: {
      type: 'object',
      description: 'how the component is backed up (e.g. strategy: disk, postgres, action)',
      properties: { strategy: { type: 'string' } },
    },
  },
} as const;

const parameter = {
  type: 'object',
  required: ['name', 'kind'],
  additionalProperties: false,
  properties: {
    name: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_-]*$',
      description: 'a parameter name of letters, digits, "_" and "-", starting with a letter or "_"',
    },
    label: { type: 'string' },
    kind: { enum: ['string', 'integer', 'boolean', 'enum'] },
    default: {
      type: ['string', 'number', 'boolean'],
      description: 'value used when the deployment gives none; without it the parameter is required',
    },
    values: {
      type: 'array',
      minItems: 1,
      items: { type: ['string', 'number', 'boolean'] },
      description: 'the allowed values of an enum parameter',
    },
    description: { type: 'string' },
    secret: {
      type: 'boolean',
      description: 'the value is a secret: never logged, shown or stored in plain text',
    },
    min: { type: 'integer', description: 'integer parameters: the smallest value allowed (a Styrmin extension)' },
    max: { type: 'integer', description: 'integer parameters: the largest value allowed (a Styrmin extension)' },
  },
} as const;

const service = {
  type: 'object',
  required: ['name', 'kind', 'scope', 'port', 'component'],
  additionalProperties: false,
  properties: {
    name: nameText,
    kind: { type: 'string', description: 'protocol of the endpoint, such as http or tcp' },
    scope: { type: 'string', description: 'who reaches the endpoint, such as external or internal' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    component: { type: 'string', description: 'name of the component that serves the endpoint' },
  },
} as const;

const envVar = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    level: { type: 'string' },
    components: { type: 'array', items: { type: 'string' } },
  },
} as const;

const containerOverride = {
  type: 'object',
  required: ['component'],
  additionalProperties: false,
  properties: {
    component: { type: 'string' },
    container: { type: 'string' },
    command: { type: 'boolean' },
    args: { type: 'boolean' },
    description: { type: 'string' },
  },
} as const;

const action = {
  type: 'object',
  required: ['name', 'hook', 'mode', 'location'],
  additionalProperties: false,
  properties: {
    name: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_-]*$',
      description: 'an action name of letters, digits, "_" and "-", starting with a letter or "_"',
    },
    hook: { enum: ['setup', 'upgrade'] },
    mode: { enum: ['pre', 'core', 'post'] },
    location: {
      type: 'string',
      description: '"<file>::<function>" relative to the driver folder, e.g. "actions.ts::smokeTest"',
    },
    description: { type: 'string' },
    prompts: { type: 'array', description: 'questions put to the operator before the action runs' },
  },
} as const;

/** The schema of a whole `driver.styrmin.yml` document. */
export const driverSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://styrmin.io/schemas/driver.styrmin.json',
  title: 'Styrmin application driver (driver.styrmin.yml)',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'styrmin.io/v1' },
    kind: { const: 'ApplicationDriver' },
    metadata: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: nameText },
    },
    spec: {
      type: 'object',
      required: ['version', 'supported_versions'],
      additionalProperties: false,
      properties: {
        version: versionText,
        supported_versions: {
          type: 'string',
          description: 'application versions this driver deploys: ">=2.4,<3.0", "~=2.4", "^1.2"',
        },
        default_version: {
          ...versionText,
          description:
            'application version setup installs when the operator gives none; without it setup needs a version',
        },
        info: {
          type: 'object',
          additionalProperties: false,
          properties: {
            description: { type: 'string' },
            authors: { type: 'array', items: { type: 'string' } },
            license: { type: 'string' },
            links: {
              type: 'array',
              items: {
                type: 'object',
                required: ['link', 'url'],
                additionalProperties: false,
                properties: { link: { type: 'string' }, url: { type: 'string' } },
              },
            },
          },
        },
        helm: {
          type: 'object',
          required: ['main'],
          additionalProperties: false,
          properties: {
            main: {
              type: 'object',
              required: ['location', 'version'],
              additionalProperties: false,
              properties: {
                location: {
                  type: 'string',
                  minLength: 1,
                  description: 'an oci:// chart reference or the URL of an HTTP chart repository',
                },
                version: versionText,
              },
            },
            timeout: {
              type: 'string',
              pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
              description: 'how long one Helm release step may take, as a duration such as "90s" or "10m"',
            },
            on_failure: {
              enum: ['rollback', 'keep'],
              description: 'what a failed Helm release step leaves behind: roll back or keep the failed release',
            },
          },
        },
        components: {
          type: 'object',
          propertyNames: nameText,
          additionalProperties: component,
        },
        parameters: { type: 'array', items: parameter },
        services: { type: 'array', items: service },
        env_vars: { type: 'array', items: envVar },
        container_overrides: { type: 'array', items: containerOverride },
        actions: { type: 'array', items: action },
      },
    },
  },
} as const;
