import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { uniqueName } from '../support/temporal.js';
import { startHarness, type EngineHarness } from './harness.js';

let harness: EngineHarness;
beforeAll(async () => {
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
  ['unknown driver', 'setup', { ...good, driver: 'nope' }, 'this worker has no driver "nope"; it has: lab-app@1, lab-twin@2'],
  ['unknown driver version', 'setup', { ...good, driverVersion: '7' }, 'no driver "lab-app" version "7"'],
  ['version outside supported_versions', 'setup', { ...good, version: '3.1.0' }, '3.1.0'],
  ['missing required parameter', 'setup', { ...good, parameters: {} }, 'owner'],
  ['wrong parameter type', 'setup', { ...good, parameters: { owner: 'ops', replicas: 'two' } }, 'replicas'],
  ['value not in enum', 'setup', { ...good, parameters: { owner: 'ops', tier: 'huge' } }, 'huge'],
  ['unknown parameter', 'setup', { ...good, parameters: { owner: 'ops', colour: 'blue' } }, 'colour'],
];

describe('bad workflow input', () => {
  it.each(badInputs)('fails fast and without retry: %s', async (_name, hook, fields, expected) => {
    const deploymentId = uniqueName('bad');
    const input = Array.isArray(fields) ? fields : { deploymentId, ...fields };
    const workflowId = uniqueName(`bad-${hook}`);
    const started = Date.now();
    const error = await harness.withWorker((taskQueue) =>
      harness.temporal.client.workflow
        .execute(hook, { taskQueue, workflowId, args: [input] })
        .then(() => undefined, (err: unknown) => err),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(expected);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Nothing ran: no action of any mode was started.
    await expect(harness.temporal.client.workflow.getHandle(`${deploymentId}/${hook}/pre/prepare_a`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });
});
