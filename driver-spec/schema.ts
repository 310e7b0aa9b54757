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
  description:
    "a component: the Deployments, StatefulSets and CronJobs (and their pods) in the deployment's namespace that its labels select",
  required: ['identifier'],
  additionalProperties: false,
  properties: {
    identifier: {
      type: 'object',
      description: 'how Styrmin finds the component in the cluster',
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
      description:
        'how the component is backed up (e.g. strategy: disk, postgres, action); information for people, Styrmin runs no backup itself',
      properties: { strategy: { type: 'string', description: 'the backup method, such as disk, postgres or action' } },
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
    label: {
      type: 'string',
      description:
        'a short human-readable name, e.g. "Server replicas"; it opens the parameter\'s comment in parameters.generated.ts',
    },
    kind: {
      enum: ['string', 'integer', 'boolean', 'enum'],
      description:
        'the type of the value; an enum takes one of `values`. Text from the operator is converted: "3" to 3, "true" to true',
    },
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
    description: {
      type: 'string',
      description:
        "what the parameter does; it follows the label in the parameter's comment in parameters.generated.ts",
    },
    secret: {
      type: 'boolean',
      description:
        'keep the value in the deployment\'s Secret, not in its record: actions see the mask "********" (readSecretParameter reads the value), the values template sees the value; false when unset',
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
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'the port number of the endpoint' },
    component: { type: 'string', description: 'name of the component that serves the endpoint' },
  },
} as const;

const envVar = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', description: 'name of the environment variable, e.g. EXAMPLE_APP_LOG_FORMAT' },
    description: { type: 'string', description: 'what the variable does and which values it takes, for operators' },
    level: {
      type: 'string',
      description: 'the level the variable applies at, such as component; Styrmin does not read it',
    },
    components: {
      type: 'array',
      items: { type: 'string' },
      description: 'the components the variable applies to; each must be declared in spec.components',
    },
  },
} as const;

const containerOverride = {
  type: 'object',
  required: ['component'],
  additionalProperties: false,
  properties: {
    component: {
      type: 'string',
      description: 'the component whose container may be overridden; it must be declared in spec.components',
    },
    container: { type: 'string', description: "name of the container in the component's pods" },
    command: { type: 'boolean', description: "true when operators can replace the container's command" },
    args: { type: 'boolean', description: "true when operators can replace the container's arguments" },
    description: { type: 'string', description: 'what the override is for, for operators' },
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
    hook: {
      enum: ['setup', 'upgrade'],
      description:
        'the hook the action runs in: setup (first install) or upgrade (move to another application version)',
    },
    mode: {
      enum: ['pre', 'core', 'post'],
      description:
        'when in the hook the action runs: pre, then core, then post, the actions of a mode side by side; core actions replace the built-in Helm release step (they can call upgradeDeploymentVersion)',
    },
    location: {
      type: 'string',
      description: '"<file>::<function>" relative to the driver folder, e.g. "actions.ts::smokeTest"',
    },
    description: { type: 'string', description: 'what the action does; `styrmin plan` shows it' },
    prompts: {
      type: 'array',
      description:
        'accepted so that drivers written for the original Styrmin load, but not used: Styrmin puts no questions to the operator',
    },
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
    apiVersion: { const: 'styrmin.io/v1', description: 'version of the driver format; always styrmin.io/v1' },
    kind: { const: 'ApplicationDriver', description: 'kind of document; always ApplicationDriver' },
    metadata: {
      type: 'object',
      description:
        "the driver's identity: operators name the driver by metadata.name (`driver` in a run's input), templates see it as app.name",
      required: ['name'],
      additionalProperties: false,
      properties: { name: nameText },
    },
    spec: {
      type: 'object',
      description:
        'the driver itself: its revision, the application versions it deploys, its chart, components and actions',
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
          description: 'information about the driver for people; Styrmin does not use it when it runs',
          additionalProperties: false,
          properties: {
            description: { type: 'string', description: 'what the application is and what the driver deploys' },
            authors: { type: 'array', items: { type: 'string' }, description: 'who wrote and maintains the driver' },
            license: { type: 'string', description: 'license of the driver, e.g. Apache-2.0' },
            links: {
              type: 'array',
              description: 'links to more about the application, such as its documentation and source',
              items: {
                type: 'object',
                required: ['link', 'url'],
                additionalProperties: false,
                properties: {
                  link: { type: 'string', description: 'title of the link, e.g. Documentation' },
                  url: { type: 'string', description: 'address the link points to' },
                },
              },
            },
          },
        },
        helm: {
          type: 'object',
          description:
            "the application's Helm chart; with it, a hook whose core mode has no action runs the built-in release step (helm upgrade --install) there",
          required: ['main'],
          additionalProperties: false,
          properties: {
            main: {
              type: 'object',
              description: 'the chart to install: where it is and which chart version',
              required: ['location', 'version'],
              additionalProperties: false,
              properties: {
                location: {
                  type: 'string',
                  minLength: 1,
                  description:
                    "an oci:// chart reference, the URL of an HTTP(S) chart repository (the chart is the URL's #fragment, else the driver's name) or a ./folder inside the driver; a worker's STYRMIN_CHART_LOCATIONS can replace it",
                },
                version: versionText,
              },
            },
            timeout: {
              type: 'string',
              pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
              description:
                'how long one Helm release step may take, as a duration such as "90s" or "10m"; 5m when unset',
            },
            on_failure: {
              enum: ['rollback', 'keep'],
              description:
                'what a failed Helm release step leaves behind: roll back or keep the failed release; when unset, rollback on upgrade and keep on setup',
            },
          },
        },
        components: {
          type: 'object',
          description:
            "the application's parts by name; primitives (stopComponents, executeCommands, ...), services, env_vars and container_overrides name them",
          propertyNames: nameText,
          additionalProperties: component,
        },
        parameters: {
          type: 'array',
          description:
            'what operators give each deployment; templates and actions read the values as parameters.<name>, an upgrade keeps the deployed ones unless its input gives new ones',
          items: parameter,
        },
        services: {
          type: 'array',
          description: 'network endpoints of the application; templates and actions read them as services.<name>',
          items: service,
        },
        env_vars: {
          type: 'array',
          description:
            "documents the environment variables operators can set per component in the deployment's config (config.components.<name>.env_vars, read by component_env_vars); Styrmin checks only that their components exist",
          items: envVar,
        },
        container_overrides: {
          type: 'array',
          description:
            "documents the containers whose command or arguments operators can replace in the deployment's config (config.components.<name>.command and args, read by component_command and component_args); Styrmin checks only that the component exists",
          items: containerOverride,
        },
        actions: {
          type: 'array',
          description: "the driver's own steps: functions of its TypeScript modules, each run in one mode of one hook",
          items: action,
        },
      },
    },
  },
} as const;
