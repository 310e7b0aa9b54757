/** An OTLP/HTTP trace receiver in the test process: what a collector gets from a worker. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

// The OTLP messages, as generated (static code) for the exporter that encodes them.
const otlp = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: {
    proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(b: Buffer): unknown } } } } };
  };
};
const exportRequest = otlp.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** A received span, its ids in hex. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** The resource's service.name. */
  service: string;
}

interface KeyValue {
  key: string;
  value?: { stringValue?: string };
}
interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{ traceId: Uint8Array; spanId: Uint8Array; parentSpanId?: Uint8Array; name: string }>;
    }>;
  }>;
}

const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('hex');

/** Listens on a loopback port for POST /v1/traces (protobuf) and keeps the spans. */
export async function startOtlpReceiver(): Promise<{
  endpoint: string;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const decoded = exportRequest.decode(Buffer.concat(chunks)) as unknown as ExportRequest;
      for (const { resource, scopeSpans } of decoded.resourceSpans ?? []) {
        const service = resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '';
        for (const span of (scopeSpans ?? []).flatMap((scope) => scope.spans ?? []))
          spans.push({
            traceId: hex(span.traceId),
            spanId: hex(span.spanId),
            parentSpanId: hex(span.parentSpanId),
            name: span.name,
            service,
          });
      }
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
