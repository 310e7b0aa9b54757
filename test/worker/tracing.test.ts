/**
 * OpenTelemetry traces: a service starts a run inside its own span; the worker (dist/worker.js,
 * with OTEL_EXPORTER_OTLP_ENDPOINT) exports the run's spans over OTLP to a receiver in this test,
 * all in the service's trace: run → action child workflow → activity.
 */
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { connectClient, startSetup, waitForRun } from '../../client.js';
import { startKubeSim } from '../../kubesim/index.js';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { uniqueName } from '../support/temporal.js';
import { repo, started, startWorker } from '../support/worker-process.js';

const labTwin = `${repo}test/fixtures/drivers/lab-twin`;

describe('traces of a run', () => {
  // The calling service's own tracing, as a service using the client SDK would have it.
  const serviceSpans = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(serviceSpans)] });
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  // A Kubernetes API test server of its own on both tiers: what is tested is the worker's export.
  it('go over OTLP to the endpoint set, in the trace of the service that started the run', async () => {
    const receiver = await startOtlpReceiver();
    const sim = await startKubeSim();
    const taskQueue = uniqueName('tracing');
    const worker = startWorker({
      STYRMIN_DRIVERS: labTwin,
      STYRMIN_TASK_QUEUE: taskQueue,
      KUBECONFIG: sim.kubeconfigPath,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SERVICE_NAME: 'styrmin-under-test',
    });
    let traceId = '';
    try {
      await started(worker);
      expect(worker.output()).toContain(`traces to ${receiver.endpoint} (http/protobuf)`);
      const client = await connectClient();
      try {
        const deploymentId = uniqueName('traced');
        await provider.getTracer('a-service').startActiveSpan('service request', async (span) => {
          traceId = span.spanContext().traceId;
          const run = await startSetup(
            client,
            { deploymentId, driver: 'lab-twin', namespace: deploymentId },
            { taskQueue, workflowId: uniqueName('traced') },
          );
          await waitForRun(client, run.workflowId);
          span.end();
        });
      } finally {
        await client.connection.close();
      }
      // Spans still buffered are exported as the worker stops.
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      worker.child.kill('SIGTERM');
      await sim.close();
      await receiver.close();
    }

    const { spans } = receiver;
    expect(spans.length).toBeGreaterThan(0);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['styrmin-under-test']));
    const named = (name: string): ReceivedSpan => {
      const found = spans.find((s) => s.name === name);
      if (!found) throw new Error(`no span "${name}" among: ${spans.map((s) => s.name).join(', ')}`);
      return found;
    };
    // The chain a reader follows from the service's start down to a primitive.
    const start = serviceSpans.getFinishedSpans().find((s) => s.name === 'StartWorkflow:setup');
    expect(start?.spanContext().traceId).toBe(traceId);
    const run = named('RunWorkflow:setup');
    expect(run.parentSpanId).toBe(start?.spanContext().spanId);
    const startAction = named('StartChildWorkflow:lab-twin@2/install');
    expect(startAction.parentSpanId).toBe(run.spanId);
    expect(named('RunWorkflow:lab-twin@2/install').parentSpanId).toBe(startAction.spanId);
    const startRecordWrite = named('StartActivity:writeDeploymentRecord');
    expect(startRecordWrite.parentSpanId).toBe(run.spanId);
    expect(named('RunActivity:writeDeploymentRecord').parentSpanId).toBe(startRecordWrite.spanId);
  });

  it('is refused at start for an OTLP protocol the worker does not know, in one line', async () => {
    const worker = startWorker({
      STYRMIN_DRIVERS: labTwin,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'udp',
    });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toBe(
      'styrmin worker: not starting: OTEL_EXPORTER_OTLP_PROTOCOL is "udp": use http/protobuf, http/json, grpc (or unset it for http/protobuf)\n',
    );
  });
});
