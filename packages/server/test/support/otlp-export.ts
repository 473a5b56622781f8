// A real OpenTelemetry pipeline for framework end-to-end tests: the SDK's tracer provider, its
// async context manager (frameworks parent their spans through it) and the stock OTLP/HTTP
// exporter (protobuf or JSON) pointed at a running Sightline server; plus reading a trace back.

import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import { request } from './http.js';
import type { RunningServer } from './server.js';

export type OtlpFormat = 'protobuf' | 'json';

/** A span as `GET /api/traces/{id}` returns it. */
export type StoredSpan = Record<string, any>;

let contextManagerInstalled = false;

/** Frameworks find their parent span through the active context; in Node that needs AsyncLocalStorage. */
export function installContextManager(): void {
  if (contextManagerInstalled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerInstalled = true;
}

export interface ExportingTracer {
  provider: BasicTracerProvider;
  tracer: Tracer;
  /** One entry per export call: code 0 is success. A refused export fails the test instead of only being logged. */
  results: { code: number; error?: Error }[];
  /** Exports everything ended so far and shuts the provider down. */
  finish(): Promise<void>;
}

function recording(exporter: SpanExporter, results: ExportingTracer['results']): SpanExporter {
  return {
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        results.push({ code: result.code, ...(result.error && { error: result.error }) });
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

export function exportingTracer(server: RunningServer, format: OtlpFormat, serviceName: string): ExportingTracer {
  installContextManager();
  const options = { url: `${server.url}/v1/traces`, headers: { authorization: `Bearer ${server.adminKey}` } };
  const results: ExportingTracer['results'] = [];
  const exporter = recording(format === 'protobuf' ? new ProtoExporter(options) : new JsonExporter(options), results);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    provider,
    tracer: provider.getTracer('sightline-e2e', '1.0.0'),
    results,
    async finish() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

export async function readTrace(server: RunningServer, traceId: string): Promise<StoredSpan[]> {
  const reply = await request(`${server.url}/api/traces/${traceId}`, { key: server.adminKey });
  expect(reply.status).toBe(200);
  return reply.body.spans as StoredSpan[];
}

export const byName = (spans: StoredSpan[], name: string): StoredSpan => {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length} among ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
};

/** The sum the dashboard shows for a trace: every stored span's tokens, as a rollup adds them. */
export function traceTotals(spans: StoredSpan[]): { input: number; output: number; cacheRead: number; costUsd: number } {
  return {
    input: spans.reduce((sum, s) => sum + s.tokens_input, 0),
    output: spans.reduce((sum, s) => sum + s.tokens_output, 0),
    cacheRead: spans.reduce((sum, s) => sum + s.tokens_cache_read, 0),
    costUsd: spans.reduce((sum, s) => sum + (s.cost_usd ?? 0), 0),
  };
}
