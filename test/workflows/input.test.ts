import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { CoreV1Api } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { actionId, uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';

let harness: EngineHarness;
/** Bytes the workers of this file logged, at the INFO level a production worker logs at. */
let logBytes = 0;
beforeAll(async () => {
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      logBytes += Buffer.byteLength(entry.message) + Buffer.byteLength(JSON.stringify(entry.meta ?? {}));
    }),
  });
  harness = await startHarness();
});
afterAll(async () => harness?.close());

const good = { driver: 'lab-app', namespace: 'lab', parameters: { owner: 'ops' } };

/** Each bad input with a piece of the message an operator must see. */
const badInputs: Array<[string, 'setup' | 'upgrade', Record<string, unknown>, string]> = [
  ['not an object', 'setup', [] as unknown as Record<string, unknown>, 'must be a JSON object'],
  ['no deployment id', 'setup', { ...good, deploymentId: undefined }, '"deploymentId" is required'],
  ['deployment id not a DNS label', 'setup', { ...good, deploymentId: 'Shop_1' }, '"deploymentId" must be a DNS label'],
  ['unknown field', 'setup', { ...good, targetVersion: '1.0.0' }, 'unknown field "targetVersion"'],
  ['upgrade without target', 'upgrade', { ...good }, '"targetVersion" is required for an upgrade'],
  [
    'unknown driver',
    'setup',
    { ...good, driver: 'nope' },
    'this worker has no driver "nope"; it has: lab-app@1, lab-twin@2',
  ],
  ['unknown driver version', 'setup', { ...good, driverVersion: '7' }, 'no driver "lab-app" version "7"'],
  ['version outside supported_versions', 'setup', { ...good, version: '3.1.0' }, '3.1.0'],
  ['missing required parameter', 'setup', { ...good, parameters: {} }, 'owner'],
  ['wrong parameter type', 'setup', { ...good, parameters: { owner: 'ops', replicas: 'two' } }, 'replicas'],
  ['value not in enum', 'setup', { ...good, parameters: { owner: 'ops', tier: 'huge' } }, 'huge'],
  ['unknown parameter', 'setup', { ...good, parameters: { owner: 'ops', colour: 'blue' } }, 'colour'],
  [
    'integer below its min',
    'setup',
    { ...good, parameters: { owner: 'ops', replicas: -1 } },
    'parameter "replicas" must be at least 0, got -1',
  ],
  ['integer above its max', 'setup', { ...good, parameters: { owner: 'ops', replicas: '21' } }, 'must be at most 20'],
];

const huge = 'x'.repeat(1024 * 1024);
const nested = (depth: number): Record<string, unknown> => (depth === 0 ? {} : { inner: nested(depth - 1) });

/** Inputs too large or too deep for a run: each must fail at once with a short message. */
const oversizedInputs: Array<[string, Record<string, unknown>, string]> = [
  ['a 1 MB deployment id', { ...good, deploymentId: huge }, 'the setup input is 1024 KiB, at most 256 KiB'],
  ['a 1 MB secret parameter', { ...good, parameters: { owner: huge } }, 'at most 256 KiB'],
  [
    'a 100 KiB parameter',
    { ...good, parameters: { owner: 'x'.repeat(100 * 1024) } },
    'parameter "owner" is 100 KiB long, at most 64 KiB',
  ],
  ['a 200-character deployment id', { ...good, deploymentId: 'a'.repeat(200) }, '"deploymentId" must be a DNS label'],
  ['config nested 3000 levels deep', { ...good, config: nested(3000) }, 'nests deeper than 16 levels'],
  [
    '300 parameters',
    { ...good, parameters: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, i])) },
    'at most 200',
  ],
  [
    'a parameter that is an object',
    { ...good, parameters: { owner: { name: 'ops' } } },
    'must be a string, number or boolean',
  ],
  ['200 KiB of config', { ...good, config: { blob: 'y'.repeat(200 * 1024) } }, '"config" is 200 KiB, at most 128 KiB'],
];

/** Starts a setup and returns how it failed and how long that took. */
async function failedSetup(input: Record<string, unknown>): Promise<{ failure: ApplicationFailure; ms: number }> {
  const started = Date.now();
  const error = await harness.withWorker((taskQueue) =>
    harness.temporal.client.workflow
      .execute('setup', { taskQueue, workflowId: uniqueName('oversized'), args: [input] })
      .then(
        () => undefined,
        (err: unknown) => err,
      ),
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return { failure: (error as WorkflowFailedError).cause as ApplicationFailure, ms: Date.now() - started };
}

describe('oversized workflow input', () => {
  it.each(oversizedInputs)('fails within seconds with a bounded message: %s', async (name, fields, expected) => {
    const { failure, ms } = await failedSetup({ deploymentId: uniqueName('big'), ...fields });
    console.log(`oversized input, ${name}: ${failure.type} in ${ms} ms, message ${failure.message.length} characters`);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain(expected);
    expect(failure.message.length).toBeLessThan(2_000);
    expect(JSON.stringify(failure.details).length).toBeLessThan(4_000);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('a refused setup', () => {
  it('creates nothing: the namespace of a setup for an unknown driver does not exist', async () => {
    const namespace = uniqueName('untouched');
    const { failure } = await failedSetup({ ...good, deploymentId: namespace, namespace, driver: 'nope' });
    expect(failure.type).toBe('InvalidInput');
    const core = harness.kubeConfig().makeApiClient(CoreV1Api);
    await expect(core.readNamespace({ name: namespace })).rejects.toMatchObject({ code: 404 });
  });
});

describe('bad workflow input', () => {
  it.each(badInputs)('fails fast and without retry: %s', async (_name, hook, fields, expected) => {
    const deploymentId = uniqueName('bad');
    const input = Array.isArray(fields) ? fields : { deploymentId, ...fields };
    const workflowId = uniqueName(`bad-${hook}`);
    const started = Date.now();
    const error = await harness.withWorker((taskQueue) =>
      harness.temporal.client.workflow.execute(hook, { taskQueue, workflowId, args: [input] }).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(expected);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Nothing ran: no action of any mode was started.
    await expect(
      harness.temporal.client.workflow
        .getHandle(await actionId(harness.temporal.client, workflowId, 'pre', 'prepare_a'))
        .describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('the worker log', () => {
  it('stays under 1 MB through every oversized and bad input above', () => {
    console.log(`worker log through the input tests: ${(logBytes / 1024).toFixed(0)} KiB`);
    expect(logBytes).toBeGreaterThan(0);
    expect(logBytes).toBeLessThan(1024 * 1024);
  });
});
