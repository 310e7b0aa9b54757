/**
 * Secret parameters are never readable in Temporal, the worker's log or the record's ConfigMap.
 * A setup and an upgrade of the engine-test driver with the secret parameter `api_token` (given in
 * the input, then by reference to a Secret), with payloads encrypted: every workflow of the
 * deployment, read raw (without the codec), holds the value in no payload, search attribute,
 * memo or failure, and every action still reads the right value. The codec server shows the
 * Temporal CLI the decrypted input; a wrong key fails clearly and leaves the run whole; a run
 * started under one key completes after the worker restarts with a new key beside it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { approveRun } from '../../client.js';
import { recordObjectNames } from '../../activities/record/codec.js';
import { startCodecServer } from '../../runtime/codec-server.js';
import {
  AesGcmPayloadCodec,
  dataConverterOf,
  keyIdMetadataKey,
  newCodecKey,
  parseCodecKeys,
} from '../../runtime/payload-codec.js';
import { createStyrminWorker } from '../../runtime/styrmin-worker.js';
import { temporalCli } from '../../runtime/temporal-cli.js';
import { uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';
import * as lifecycle from '../../workflows/hooks.js';

// A CommonJS module: Node's ESM loader does not see its named exports.
const { temporal } = proto;

const run = promisify(execFile);
const logs: string[] = [];
let harness: EngineHarness;
beforeAll(async () => {
  // Every line the worker logs, at every level, to look for the secret in.
  Runtime.install({
    logger: new DefaultLogger('DEBUG', (entry: LogEntry) =>
      logs.push(`${entry.message} ${JSON.stringify(entry.meta)}`),
    ),
  });
  harness = await startHarness();
});
afterAll(async () => harness?.close());

const keyA = parseCodecKeys(newCodecKey('a'), 'test')[0]!;
const keyB = parseCodecKeys(newCodecKey('b'), 'test')[0]!;

/** FNV-1a, 32 bits, in hex, as the lab-app actions check `api_token` by. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16);
}

/** A lab-app setup whose secret `api_token` is `token`; `extra` adds to the input. */
function setupWithToken(deploymentId: string, token: string, extra: object = {}) {
  return {
    deploymentId,
    driver: 'lab-app',
    namespace: deploymentId,
    parameters: { owner: 'ops', api_token: token },
    ...extra,
  };
}

/** A worker on `taskQueue` with the harness's drivers and `settings` (client, data converter). */
function workerOn(taskQueue: string, settings: ReturnType<typeof encrypting>['worker']) {
  return createStyrminWorker({
    connection: harness.temporal.nativeConnection,
    taskQueue,
    drivers: harness.drivers,
    workflowBundle: harness.bundle,
    kubeConfig: harness.kubeConfig,
    ...settings,
  });
}

/** A client (and worker settings) encrypting with `keys`, the first one active. */
function encrypting(keys: (typeof keyA)[]) {
  const dataConverter = dataConverterOf(new AesGcmPayloadCodec(keys));
  const client = new Client({ connection: harness.temporal.client.connection, dataConverter });
  return { client, worker: { client, dataConverter } };
}

/** Every workflow of a deployment (runs, actions, its lock), read raw: Temporal's own answers, no codec. */
async function rawHistories(deploymentId: string): Promise<string> {
  const service = harness.temporal.client.workflowService;
  const namespace = 'default';
  const { executions } = await service.listWorkflowExecutions({
    namespace,
    query: `StyrminDeploymentId = "${deploymentId}"`,
  });
  const texts: string[] = [];
  for (const { execution } of executions) {
    const history = await harness.temporal.client.workflow
      .getHandle(execution!.workflowId!, execution!.runId!)
      .fetchHistory();
    texts.push(readable(historyToJSON(history)));
    const described = await service.describeWorkflowExecution({ namespace, execution });
    texts.push(
      JSON.stringify(
        temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.toObject(described, { bytes: String }),
      ),
    );
  }
  expect(texts.length).toBeGreaterThanOrEqual(12);
  return texts.join('\n');
}

/** JSON text with every base64 `data` (payload data, in the form Temporal's JSON gives it) decoded, to search in. */
function readable(json: string): string {
  return json.replace(/"data":\s*"([A-Za-z0-9+/=]*)"/g, (_all, data: string) =>
    JSON.stringify({ data: Buffer.from(data, 'base64').toString('utf8') }),
  );
}

/** The first event of `temporal workflow show --output json`, as far as the test reads it. */
interface StartedEvent {
  workflowExecutionStartedEventAttributes: {
    input: { payloads: Array<{ metadata: { encoding: string }; data: string }> };
  };
}

describe('secret parameters', () => {
  it('are in no payload, search attribute, memo, failure, log line or record ConfigMap; actions read them', async () => {
    const deploymentId = uniqueName('secret');
    const namespace = deploymentId;
    const given = `S3cret-${deploymentId}`;
    const referred = `Ref3rred-${deploymentId}`;
    const { client, worker } = encrypting([keyA]);
    const core = harness.kubeConfig().makeApiClient(CoreV1Api);
    await harness.withWorker(async (taskQueue) => {
      const base = { deploymentId, driver: 'lab-app', namespace };
      const setup = await client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [{ ...base, parameters: { owner: 'ops', api_token: given }, config: { tokenHash: fnv1a(given) } }],
      });
      expect(setup.progress.status).toBe('succeeded');
      // The upgrade takes the token from a Secret of the namespace: the input holds only its name.
      await core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: 'api-credentials' }, stringData: { token: referred } },
      });
      const upgrade = await client.workflow.execute(lifecycle.upgrade, {
        taskQueue,
        workflowId: `${deploymentId}/upgrade`,
        args: [
          {
            ...base,
            targetVersion: '2.0.0',
            parameters: { api_token: { secretRef: { name: 'api-credentials', key: 'token' } } },
            config: { tokenHash: fnv1a(referred) },
          },
        ],
      });
      expect(upgrade.progress.status).toBe('succeeded');
      // A run that fails on its token says so without the token.
      const failed = await client.workflow
        .execute(lifecycle.upgrade, {
          taskQueue,
          workflowId: `${deploymentId}/upgrade-wrong`,
          args: [{ ...base, targetVersion: '2.1.0', config: { tokenHash: fnv1a(given) } }],
        })
        .catch((err: unknown) => err as Error);
      expect(String((failed as Error & { cause?: Error }).cause?.message)).toContain(
        'api_token is not the one the run was given',
      );
    }, worker);

    const raw = await rawHistories(deploymentId);
    for (const secret of [given, referred]) expect(raw).not.toContain(secret);
    expect(raw).toContain(Buffer.from('binary/encrypted').toString('base64'));
    for (const secret of [given, referred]) expect(logs.join('\n')).not.toContain(secret);
    const configMap = await core.readNamespacedConfigMap({
      name: recordObjectNames(deploymentId).configMap,
      namespace,
    });
    expect(JSON.stringify(configMap)).not.toContain(given);
    expect(JSON.stringify(configMap)).not.toContain(referred);
    // The deployment's Secret holds the value the last run was given.
    const kept = await core.readNamespacedSecret({ name: recordObjectNames(deploymentId).secret, namespace });
    expect(JSON.parse(Buffer.from(kept.data!.api_token!, 'base64').toString())).toBe(referred);
  }, 120_000);

  it('shows the Temporal CLI the decrypted input through the codec server; a wrong key fails clearly', async () => {
    const deploymentId = uniqueName('codec');
    const secret = `Cod3c-${deploymentId}`;
    const { client, worker } = encrypting([keyA]);
    await harness.withWorker(
      (taskQueue) =>
        client.workflow.execute(lifecycle.setup, {
          taskQueue,
          workflowId: `${deploymentId}/setup`,
          args: [setupWithToken(deploymentId, secret)],
        }),
      worker,
    );
    const show = (extra: string[]) =>
      run(temporalCli(), [
        ...['workflow', 'show', '--address', process.env.TEMPORAL_ADDRESS!],
        ...['--workflow-id', `${deploymentId}/setup`, '--output', 'json', ...extra],
      ]).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
    expect((await show([])).stdout).not.toContain(secret);
    const token = 'let-me-see';
    const server = await startCodecServer({ codec: new AesGcmPayloadCodec([keyA]), port: 0, origins: [], token });
    const wrongKey = { id: 'a', key: keyB.key };
    const wrong = await startCodecServer({ codec: new AesGcmPayloadCodec([wrongKey]), port: 0, origins: [] });
    try {
      const decrypted = await show(['--codec-endpoint', server.url, '--codec-auth', `Bearer ${token}`]);
      expect(decrypted.code).toBe(0);
      const started = (JSON.parse(decrypted.stdout) as { events: StartedEvent[] }).events[0]!;
      const [input] = started.workflowExecutionStartedEventAttributes.input.payloads;
      expect(Buffer.from(input!.metadata.encoding, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(input!.data, 'base64').toString())).toMatchObject({
        parameters: { api_token: secret },
      });
      const refused = await show(['--codec-endpoint', server.url]);
      expect(refused.code).not.toBe(0);
      // A wrong key: the CLI gets no payloads (it retries until its deadline); the codec server says why.
      const garbled = await show(['--codec-endpoint', wrong.url, '--command-timeout', '3s']);
      expect(garbled.code).not.toBe(0);
      const encrypted = (JSON.parse((await show([])).stdout) as { events: StartedEvent[] }).events[0]!;
      const answer = await fetch(`${wrong.url}/decode`, {
        method: 'POST',
        body: JSON.stringify({ payloads: encrypted.workflowExecutionStartedEventAttributes.input.payloads }),
      });
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { message: string }).message).toBe(
        'payload encrypted with key "a" does not decrypt with this process\'s key of that id: the key is wrong, or the payload was damaged',
      );
    } finally {
      await server.close();
      await wrong.close();
    }
  }, 60_000);

  it('a run started under key A completes after the worker restarts with key B active and A still readable', async () => {
    const deploymentId = uniqueName('rotate');
    const workflowId = `${deploymentId}/setup`;
    const taskQueue = uniqueName('rotate');
    const onA = encrypting([keyA]);
    const onBA = encrypting([keyB, keyA]);
    await (
      await workerOn(taskQueue, onA.worker)
    ).runUntil(async () => {
      await onA.client.workflow.start(lifecycle.setup, {
        taskQueue,
        workflowId,
        args: [
          setupWithToken(deploymentId, 'rotated', { config: { tokenHash: fnv1a('rotated') }, approveBefore: ['core'] }),
        ],
      });
      for (let i = 0; i < 300; i++) {
        const { searchAttributes } = await onA.client.workflow.getHandle(workflowId).describe();
        if (searchAttributes.StyrminStatus?.[0] === 'awaiting-approval') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the run never waited for approval');
    });
    // The run waits under key A; the worker that started it is gone. The next has B first, A too.
    await (
      await workerOn(taskQueue, onBA.worker)
    ).runUntil(async () => {
      await approveRun(onBA.client, workflowId, { by: 'rotation' });
      const result = await onBA.client.workflow.getHandle<typeof lifecycle.setup>(workflowId).result();
      expect(result.progress.status).toBe('succeeded');
    });
    const history = historyToJSON(await harness.temporal.client.workflow.getHandle(workflowId).fetchHistory());
    const keyIds = new Set(
      [...history.matchAll(new RegExp(`"${keyIdMetadataKey}":\\s*"([^"]+)"`, 'g'))].map((m) =>
        Buffer.from(m[1]!, 'base64').toString(),
      ),
    );
    expect(keyIds).toEqual(new Set(['a', 'b']));
  }, 90_000);

  it('a worker with a wrong key fails its workflow tasks with a clear error and leaves the run whole', async () => {
    const deploymentId = uniqueName('wrong-key');
    const workflowId = `${deploymentId}/setup`;
    const taskQueue = uniqueName('wrong-key');
    const right = encrypting([keyA]);
    const wrong = encrypting([{ id: 'a', key: keyB.key }]);
    const handle = await right.client.workflow.start(lifecycle.setup, {
      taskQueue,
      workflowId,
      args: [setupWithToken(deploymentId, 't')],
    });
    const taskFailure = async () => {
      const { events } = await harness.temporal.client.workflow.getHandle(workflowId).fetchHistory();
      return events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure;
    };
    await (
      await workerOn(taskQueue, wrong.worker)
    ).runUntil(async () => {
      for (let i = 0; i < 100 && !(await taskFailure()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    });
    expect((await taskFailure())?.message).toContain('does not decrypt with this process');
    const result = await (await workerOn(taskQueue, right.worker)).runUntil(handle.result());
    expect(result.progress.status).toBe('succeeded');
  }, 60_000);

  it('without a key, the value is only in the run input and in what readSecretParameter returns', async () => {
    const deploymentId = uniqueName('plain');
    const secret = `Pl41n-${deploymentId}`;
    const { client } = harness.temporal; // no codec: payloads in clear
    await harness.withWorker((taskQueue) =>
      client.workflow.execute(lifecycle.setup, {
        taskQueue,
        workflowId: `${deploymentId}/setup`,
        args: [setupWithToken(deploymentId, secret, { config: { tokenHash: fnv1a(secret) } })],
      }),
    );
    const { executions } = await client.workflowService.listWorkflowExecutions({
      namespace: 'default',
      query: `StyrminDeploymentId = "${deploymentId}"`,
    });
    const holders: string[] = [];
    for (const { execution } of executions) {
      const history = await client.workflow.getHandle(execution!.workflowId!, execution!.runId!).fetchHistory();
      const events = (JSON.parse(historyToJSON(history)) as { events: Array<Record<string, unknown>> }).events;
      const activityOf = new Map<string, string>();
      for (const event of events) {
        const scheduled = event.activityTaskScheduledEventAttributes as { activityType: { name: string } } | undefined;
        if (scheduled) activityOf.set(String(event.eventId), scheduled.activityType.name);
        if (!readable(JSON.stringify(event)).includes(secret)) continue;
        const completed = event.activityTaskCompletedEventAttributes as { scheduledEventId: string } | undefined;
        const what = completed
          ? `${activityOf.get(completed.scheduledEventId)} result`
          : scheduled
            ? `${scheduled.activityType.name} input`
            : String(event.eventType);
        holders.push(`${execution!.workflowId === `${deploymentId}/setup` ? 'run' : 'action'}: ${what}`);
      }
    }
    expect([...new Set(holders)].sort()).toEqual([
      'action: readSecretParameter result',
      'run: EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    ]);
  }, 60_000);
});
