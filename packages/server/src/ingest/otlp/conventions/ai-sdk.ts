// The Vercel AI SDK's own telemetry (`experimental_telemetry`): a root span per call
// (`ai.generateText`, `ai.streamText`, `ai.generateObject`, `ai.embed`, …), a child per model call
// (`….doGenerate`, `….doStream`, `….doEmbed`) and one per tool execution (`ai.toolCall`).

import type { AttributeReader } from '../attribute-reader.js';
import { convention, type Convention } from './convention.js';

/** Roots: their `ai.usage.*` is the sum of their model calls. */
const ROOTS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject', 'ai.embed', 'ai.embedMany', 'ai.rerank']);

/** The SDK names providers `<provider>.<api>` (`openai.chat`, `anthropic.messages`); the provider is the first part. */
const providerOf = (reported: string): string => {
  const dot = reported.indexOf('.');
  return dot > 0 ? reported.slice(0, dot) : reported;
};

/** The AI SDK convention for this span, or undefined when the span is not the AI SDK's. */
export function aiSdkConvention(spanName: string, reader: AttributeReader): Convention | undefined {
  const operation = reader.string('ai.operationId') ?? (spanName.startsWith('ai.') ? spanName : undefined);
  if (operation === undefined) return undefined;
  if (ROOTS.has(operation)) return convention('agent_step', { rollup: true, provider: providerOf });
  if (operation.endsWith('.doGenerate') || operation.endsWith('.doStream')) return convention('llm_call', { provider: providerOf });
  if (operation.endsWith('.doEmbed')) return convention('embedding', { provider: providerOf });
  if (operation.endsWith('.doRerank')) return convention('retrieval', { provider: providerOf });
  if (operation === 'ai.toolCall') {
    const tool = reader.string('ai.toolCall.name');
    return convention('tool_call', { toolName: tool, name: tool });
  }
  return undefined;
}
