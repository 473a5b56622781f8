// OpenInference (Arize Phoenix; LangChain.js, OpenAI, LlamaIndex instrumentations):
// `openinference.span.kind` decides the span type; LangChain's run metadata arrives as one JSON
// string attribute, `metadata`, which holds the provider (`ls_provider`) and often the user.

import type { AttributeReader } from '../attribute-reader.js';
import { SOURCES } from '../sources.js';
import { convention, type Convention } from './convention.js';

/** openinference.span.kind (upper case) → span_type. */
const KIND_TYPES: Record<string, string> = {
  LLM: 'llm_call',
  TOOL: 'tool_call',
  AGENT: 'agent_step',
  CHAIN: 'agent_step',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  EMBEDDING: 'embedding',
  GUARDRAIL: 'decision',
  EVALUATOR: 'custom',
  PROMPT: 'custom',
};

export function openInferenceConvention(reader: AttributeReader): Convention | undefined {
  const kind = reader.string('openinference.span.kind');
  if (kind === undefined) return undefined;
  const upper = kind.toUpperCase();
  if (!Object.hasOwn(KIND_TYPES, upper)) return undefined;
  const spanType = KIND_TYPES[upper];
  return convention(spanType, { toolName: spanType === 'tool_call' ? reader.peek(SOURCES.toolName) : undefined });
}

/** Fields read from the `metadata` JSON when no attribute names them. */
export interface RunMetadata {
  provider: string | undefined;
  model: string | undefined;
  session: string | undefined;
  user: string | undefined;
}

const NO_METADATA: RunMetadata = { provider: undefined, model: undefined, session: undefined, user: undefined };
/** A metadata string longer than this is not parsed: it would cost more than the fields are worth on the ingest path. */
const MAX_METADATA_CHARS = 16_384;

function firstString(object: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = object[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** LangChain's `metadata` attribute (`{"ls_provider":"openai","ls_model_name":"gpt-4o","user_id":"u-1",…}`). */
export function runMetadata(reader: AttributeReader): RunMetadata {
  const raw = reader.string('metadata');
  if (raw === undefined || raw.length > MAX_METADATA_CHARS || raw[0] !== '{') return NO_METADATA;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return NO_METADATA;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return NO_METADATA;
  const object = parsed as Record<string, unknown>;
  return {
    provider: firstString(object, ['ls_provider']),
    model: firstString(object, ['ls_model_name']),
    session: firstString(object, ['session_id', 'thread_id', 'conversation_id']),
    user: firstString(object, ['user_id', 'userId']),
  };
}
