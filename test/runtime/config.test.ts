/**
 * The connection settings the worker and the `styrmin` CLI share with the Temporal CLI: a TOML
 * profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) overridden by TEMPORAL_* variables.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { connectClient } from '../../client.js';
import { configFromEnv, taskQueueFromEnv, temporalConnectionFromEnv } from '../../runtime/config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'styrmin-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a file in the test folder and returns its path. */
function file(name: string, text: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
}

const clientCert = file('client.pem', 'CLIENT CERT');
const clientKey = file('client.key', 'CLIENT KEY');
const serverCa = file('ca.pem', 'SERVER CA');
const profiles = file(
  'temporal.toml',
  `[profile.default]
address = "temporal.internal:7233"
namespace = "ops"

[profile.prod]
address = "prod.tmprl.cloud:7233"
namespace = "prod.acct"
api_key = "prod-key"

[profile.prod.tls]
client_cert_path = "${clientCert}"
client_key_path = "${clientKey}"
server_ca_cert_path = "${serverCa}"
server_name = "prod.internal"

[profile.prod.grpc_meta]
team = "platform"

[profile.half]
address = "half.internal:7233"

[profile.half.tls]
client_key_path = "${clientKey}"
`,
);

/** An environment with nothing but HOME, pointing at a folder without a default temporal.toml. */
function env(variables: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { HOME: dir, ...variables };
}

const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

describe('Temporal connection settings', () => {
  it('defaults to localhost:7233, namespace default, no TLS', () => {
    expect(temporalConnectionFromEnv(env())).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      tls: undefined,
      apiKey: undefined,
      metadata: undefined,
    });
  });

  it('reads the default profile of TEMPORAL_CONFIG_FILE', () => {
    expect(temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: profiles }))).toMatchObject({
      address: 'temporal.internal:7233',
      namespace: 'ops',
      tls: undefined,
    });
  });

  it('reads the default file, $XDG_CONFIG_HOME/temporalio/temporal.toml, as the Temporal CLI does', () => {
    const configHome = path.join(dir, 'xdg');
    mkdirSync(path.join(configHome, 'temporalio'), { recursive: true });
    writeFileSync(
      path.join(configHome, 'temporalio', 'temporal.toml'),
      '[profile.default]\naddress = "xdg.internal:7233"\n',
    );
    expect(temporalConnectionFromEnv(env({ XDG_CONFIG_HOME: configHome })).address).toBe('xdg.internal:7233');
  });

  it('reads the TEMPORAL_PROFILE profile: address, namespace, API key, TLS files and gRPC headers', () => {
    const config = temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'prod' }));
    expect(config).toMatchObject({
      address: 'prod.tmprl.cloud:7233',
      namespace: 'prod.acct',
      apiKey: 'prod-key',
      metadata: { team: 'platform' },
    });
    const tls = config.tls as TLSConfig;
    expect(tls.serverNameOverride).toBe('prod.internal');
    expect(text(tls.serverRootCACertificate)).toBe('SERVER CA');
    expect(text(tls.clientCertPair?.crt)).toBe('CLIENT CERT');
    expect(text(tls.clientCertPair?.key)).toBe('CLIENT KEY');
  });

  it('lets TEMPORAL_* variables override the profile', () => {
    const config = temporalConnectionFromEnv(
      env({
        TEMPORAL_CONFIG_FILE: profiles,
        TEMPORAL_PROFILE: 'prod',
        TEMPORAL_ADDRESS: 'other:7233',
        TEMPORAL_NAMESPACE: 'other-ns',
        TEMPORAL_API_KEY: 'other-key',
        TEMPORAL_TLS_SERVER_NAME: 'other.internal',
        TEMPORAL_GRPC_META_TEAM: 'apps',
      }),
    );
    expect(config).toMatchObject({
      address: 'other:7233',
      namespace: 'other-ns',
      apiKey: 'other-key',
      metadata: { team: 'apps' },
    });
    expect((config.tls as TLSConfig).serverNameOverride).toBe('other.internal');
    expect(text((config.tls as TLSConfig).clientCertPair?.crt)).toBe('CLIENT CERT');
  });

  it('reads mTLS from the variables alone', () => {
    const config = temporalConnectionFromEnv(
      env({
        TEMPORAL_ADDRESS: 'mtls.internal:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: clientKey,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: serverCa,
      }),
    );
    const tls = config.tls as TLSConfig;
    expect(config.address).toBe('mtls.internal:7233');
    expect([text(tls.clientCertPair?.crt), text(tls.clientCertPair?.key), text(tls.serverRootCACertificate)]).toEqual([
      'CLIENT CERT',
      'CLIENT KEY',
      'SERVER CA',
    ]);
  });

  it('switches TLS on with TEMPORAL_TLS=true or an API key, and off with TEMPORAL_TLS=false', () => {
    expect(temporalConnectionFromEnv(env({ TEMPORAL_TLS: 'true' })).tls).toEqual(
      expect.objectContaining({ clientCertPair: undefined }),
    );
    expect(temporalConnectionFromEnv(env({ TEMPORAL_API_KEY: 'key' })).tls).toBe(true);
    expect(
      temporalConnectionFromEnv(
        env({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'prod', TEMPORAL_TLS: 'false' }),
      ).tls,
    ).toBe(false);
  });

  it('takes an empty variable as unset (an empty API key does not switch TLS on)', () => {
    expect(temporalConnectionFromEnv(env({ TEMPORAL_API_KEY: '', TEMPORAL_ADDRESS: '' }))).toMatchObject({
      address: 'localhost:7233',
      apiKey: undefined,
      tls: undefined,
    });
  });

  it('fails on a client certificate without its key, and a key without its certificate, saying what to set', () => {
    expect(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CLIENT_CERT_PATH: clientCert }))).toThrow(
      /^TLS has a client certificate but not its key: set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
    expect(() => temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'half' }))).toThrow(
      /^TLS has a client key but not its certificate/,
    );
  });

  it('names the replacement of a TLS variable it no longer reads', () => {
    expect(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CERT: clientCert }))).toThrow(
      'TEMPORAL_TLS_CERT is no longer read: set TEMPORAL_TLS_CLIENT_CERT_PATH instead',
    );
    expect(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CA: serverCa }))).toThrow(
      'set TEMPORAL_TLS_SERVER_CA_CERT_PATH instead',
    );
  });

  it('fails clearly on a missing config file, an unknown profile and an unreadable certificate', () => {
    const missing = path.join(dir, 'missing.toml');
    expect(() => temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: missing }))).toThrow(
      `TEMPORAL_CONFIG_FILE=${missing}: no such file`,
    );
    expect(() =>
      temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'staging' })),
    ).toThrow(
      `reading the Temporal connection settings (TEMPORAL_CONFIG_FILE=${profiles}): Profile 'staging' not found`,
    );
    const absent = path.join(dir, 'absent.pem');
    expect(() =>
      temporalConnectionFromEnv(
        env({ TEMPORAL_TLS_CLIENT_CERT_PATH: absent, TEMPORAL_TLS_CLIENT_KEY_PATH: clientKey }),
      ),
    ).toThrow(new RegExp(`^reading the Temporal connection settings: ENOENT.*${absent}`));
  });

  it('connects a client with a profile of a TOML file', async () => {
    const local = file(
      'local.toml',
      `[profile.local]\naddress = "${process.env.TEMPORAL_ADDRESS}"\nnamespace = "default"\n`,
    );
    const client = await connectClient(
      temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: local, TEMPORAL_PROFILE: 'local' })),
    );
    try {
      const { namespaceInfo } = await client.workflowService.describeNamespace({ namespace: client.options.namespace });
      expect(namespaceInfo?.name).toBe('default');
    } finally {
      await client.connection.close();
    }
  });
});

describe('Styrmin settings', () => {
  it('takes the task queue from STYRMIN_TASK_QUEUE, else the default, for the worker and the client alike', () => {
    expect(taskQueueFromEnv(env())).toBe('styrmin');
    expect(taskQueueFromEnv(env({ STYRMIN_TASK_QUEUE: 'ops-queue' }))).toBe('ops-queue');
    expect(configFromEnv(env({ STYRMIN_TASK_QUEUE: 'ops-queue' })).taskQueue).toBe('ops-queue');
  });

  it('reads driver folders and chart locations, and refuses a malformed chart location', () => {
    const config = configFromEnv(
      env({ STYRMIN_DRIVERS: 'drivers, /opt/drivers', STYRMIN_CHART_LOCATIONS: 'example-app=http://mirror/charts' }),
    );
    expect(config.driverDirs).toEqual([path.resolve('drivers'), '/opt/drivers']);
    expect(config.chartLocations).toEqual({ 'example-app': 'http://mirror/charts' });
    expect(() => configFromEnv(env({ STYRMIN_CHART_LOCATIONS: 'example-app' }))).toThrow(
      'STYRMIN_CHART_LOCATIONS: "example-app" is not <driver>=<chart location>',
    );
  });

  it('reads the Helm concurrency, 4 by default, and refuses anything but a whole number of at least 1', () => {
    expect(configFromEnv(env()).helmConcurrency).toBe(4);
    expect(configFromEnv(env({ STYRMIN_HELM_CONCURRENCY: '2' })).helmConcurrency).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'many'])
      expect(() => configFromEnv(env({ STYRMIN_HELM_CONCURRENCY: bad }))).toThrow(
        `STYRMIN_HELM_CONCURRENCY=${bad}: give a whole number of at least 1`,
      );
  });

  it('reads the HTTP port, none by default, and refuses what is not a port', () => {
    expect(configFromEnv(env()).httpPort).toBeUndefined();
    expect(configFromEnv(env({ STYRMIN_HTTP_PORT: '8080' })).httpPort).toBe(8080);
    for (const bad of ['0', '65536', 'http', '80.5'])
      expect(() => configFromEnv(env({ STYRMIN_HTTP_PORT: bad }))).toThrow(
        `STYRMIN_HTTP_PORT=${bad}: give a port, 1 to 65535`,
      );
  });
});
