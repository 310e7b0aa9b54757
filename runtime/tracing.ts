/**
 * OpenTelemetry traces of runs: the client's start, the run, each action's child workflow and each
 * primitive's activity, one trace per run (the SDK's interceptors carry the context in Temporal
 * headers). The worker exports them over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and does no tracing work otherwise.
 *
 * The standard OTEL_* variables apply: the exporter reads its endpoint, headers, timeout and
 * compression itself; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES describe the worker;
 * OTEL_TRACES_SAMPLER chooses what is kept; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none
 * turn tracing off.
 */
import { createRequire } from 'node:module';
import { setTimeout } from 'node:timers/promises';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';

/** What the worker adds to trace its runs. */
export interface WorkerTracing {
  /** Workflow interceptor modules, bundled with the workflows (they trace inside the sandbox). */
  workflowInterceptorModules: string[];
  activityInterceptors: ActivityInterceptorsFactory[];
  /** The sink through which workflow spans leave the sandbox for the exporter. */
  sinks: InjectedSinks<OpenTelemetrySinks>;
  /** Where spans go, for the worker's start line. */
  destination: string;
  /** Exports the spans still buffered (for 3 s at most), then stops; called when the worker has stopped. */
  shutdown(): Promise<void>;
}

/** The OTLP protocols, by OTEL_EXPORTER_OTLP_PROTOCOL's names; the specification's default first. */
const exporters: Record<string, () => SpanExporter> = {
  'http/protobuf': () => new ProtobufTraceExporter(),
  'http/json': () => new JsonTraceExporter(),
  grpc: () => new GrpcTraceExporter(),
};

/** The workflow side of the SDK's interceptors, as a module path for the bundler. */
export const workflowTracingModule = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/**
 * Tracing as the environment configures it, registered as this process's tracer provider (with
 * W3C trace context propagation); `undefined` when no OTLP endpoint is set or tracing is turned off.
 * Throws a message saying what to fix for a protocol it does not know.
 */
export function tracingFromEnv(): WorkerTracing | undefined {
  const env = process.env; // the exporters read their settings from it too
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const protocolVariable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = env[protocolVariable] || 'http/protobuf';
  const exporter = Object.hasOwn(exporters, protocol) ? exporters[protocol] : undefined;
  if (!exporter)
    throw new Error(
      `${protocolVariable} is "${protocol}": use ${Object.keys(exporters).join(', ')} (or unset it for http/protobuf)`,
    );

  // The worker's name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES give one.
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': 'styrmin-worker' }))
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }));
  const spanProcessor = new BatchSpanProcessor(exporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    workflowInterceptorModules: [workflowTracingModule],
    activityInterceptors: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    destination: `${endpoint} (${protocol})`,
    // Bounded: the worker may have drained for 25 s of Kubernetes' 30 s grace period already, and
    // an unreachable collector would otherwise hold the exit for the exporter's own timeouts.
    shutdown: () => Promise.race([provider.shutdown(), setTimeout(3_000)]),
  };
}
