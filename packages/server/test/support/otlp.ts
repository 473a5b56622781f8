// Real OTLP/HTTP trace payloads for end-to-end tests that must send the same bytes twice (retries):
// spans recorded by the OpenTelemetry SDK, serialized by the exporters' own serializers.

import { context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export type OtlpFormat = 'protobuf' | 'json';

export interface OtlpPayload {
  body: Buffer;
  contentType: 'application/x-protobuf' | 'application/json';
  traceId: string;
  /** Spans in the payload. */
  spans: number;
}

/** One GenAI agent trace (invoke_agent → chat with tokens and cost → execute_tool), as an exporter sends it. */
export async function genAiTracePayload(format: OtlpFormat, agent: string, startMs: number): Promise<OtlpPayload> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': agent }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('sightline-e2e', '1.0.0');
  const root = tracer.startSpan('invoke_agent', { startTime: startMs, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent } });
  const inRoot = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      startTime: startMs + 5,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.agent.name': agent,
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 340,
        'gen_ai.usage.cost': 0.00655,
      },
    },
    inRoot,
  );
  chat.end(startMs + 805);
  const tool = tracer.startSpan('execute_tool lookup', { startTime: startMs + 810, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.agent.name': agent } }, inRoot);
  tool.end(startMs + 850);
  root.end(startMs + 900);
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  const serializer = format === 'protobuf' ? ProtobufTraceSerializer : JsonTraceSerializer;
  const bytes = serializer.serializeRequest([...spans]);
  if (bytes === undefined) throw new Error('the OTLP serializer produced no payload');
  return {
    body: Buffer.from(bytes),
    contentType: format === 'protobuf' ? 'application/x-protobuf' : 'application/json',
    traceId: root.spanContext().traceId,
    spans: spans.length,
  };
}
