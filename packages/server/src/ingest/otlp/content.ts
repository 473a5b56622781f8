// Message content in GenAI and OpenInference spans (prompts, completions, tool arguments,
// retrieved documents). It never goes into `attributes`; it becomes `input`/`output`, which the
// pipeline keeps only when content capture is on, size-capped.

import { setAttribute, type Attributes, type AttrValue, type OtlpEvent } from './types.js';

/** Attributes that are content, whatever else they look like. */
const CONTENT_KEYS = new Set([
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'input.value',
  'input.mime_type',
  'output.value',
  'output.mime_type',
  'llm.prompt_template.variables',
  'gen_ai.tool.definitions',
  'gen_ai.retrieval.documents',
  'gen_ai.retrieval.query.text',
  'gen_ai.memory.query.text',
  'gen_ai.memory.records',
  // Vercel AI SDK
  'ai.prompt',
  'ai.prompt.messages',
  'ai.prompt.tools',
  'ai.prompt.toolChoice',
  'ai.response.text',
  'ai.response.object',
  'ai.response.toolCalls',
  'ai.response.reasoning',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'ai.value',
  'ai.values',
  'ai.embedding',
  'ai.embeddings',
  'ai.documents',
  'ai.ranking',
  // Google ADK
  'gcp.vertex.agent.llm_request',
  'gcp.vertex.agent.llm_response',
  'gcp.vertex.agent.tool_call_args',
  'gcp.vertex.agent.tool_response',
  'gcp.vertex.agent.data',
  // Pydantic AI / Logfire
  'tool_arguments',
  'tool_response',
  'final_result',
  'all_messages_events',
  'pydantic_ai.all_messages',
]);

/** Flattened content (OpenInference `llm.input_messages.0.message.content`, OpenLLMetry `gen_ai.prompt.0.content`). */
const CONTENT_PREFIXES = [
  'llm.input_messages.',
  'llm.output_messages.',
  'llm.prompts.',
  'gen_ai.prompt.',
  'gen_ai.completion.',
  'retrieval.documents.',
  'reranker.input_documents.',
  'reranker.output_documents.',
  'embedding.embeddings.',
];

export function isContentKey(key: string): boolean {
  if (CONTENT_KEYS.has(key)) return true;
  for (const prefix of CONTENT_PREFIXES) if (key.startsWith(prefix)) return true;
  return false;
}

/**
 * Rebuilds a flattened list: `llm.input_messages.0.message.role = "user"` and
 * `llm.input_messages.0.message.content = "hi"` become `[{ role: "user", content: "hi" }]`.
 */
function unflatten(attributes: Attributes, prefix: string): AttrValue[] | undefined {
  let items: Record<string, AttrValue>[] | undefined;
  for (const key in attributes) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    const index = Number(dot === -1 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 0 || index > 10_000) continue;
    let path = dot === -1 ? 'value' : rest.slice(dot + 1);
    if (path.startsWith('message.')) path = path.slice('message.'.length);
    items ??= [];
    setAttribute((items[index] ??= {}), path, attributes[key]);
  }
  return items?.filter((item) => item !== undefined);
}

function present(value: AttrValue | undefined): value is AttrValue {
  return value !== undefined && value !== null && value !== '';
}

/** The GenAI event that carries a call's content when it is not on the span's attributes. */
const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

function fromEvent(events: OtlpEvent[], eventName: string, key: string): AttrValue | undefined {
  for (const event of events) if (event.name === eventName && present(event.attributes[key])) return event.attributes[key];
  return undefined;
}

export interface SpanContent {
  input: AttrValue | undefined;
  output: AttrValue | undefined;
}

/** Picks the span's input and output content, current GenAI names first, then deprecated and OpenInference ones. */
export function spanContent(attributes: Attributes, events: OtlpEvent[]): SpanContent {
  const pick = (...candidates: (() => AttrValue | undefined)[]) => {
    for (const candidate of candidates) {
      const value = candidate();
      if (present(value)) return value;
    }
    return undefined;
  };
  const attr = (key: string) => () => attributes[key];
  return {
    input: pick(
      attr('gen_ai.input.messages'),
      () => fromEvent(events, DETAILS_EVENT, 'gen_ai.input.messages'),
      attr('gen_ai.prompt'),
      attr('input.value'),
      attr('ai.prompt.messages'),
      attr('ai.prompt'),
      attr('ai.toolCall.args'),
      attr('ai.values'),
      attr('ai.value'),
      attr('gcp.vertex.agent.llm_request'),
      attr('gcp.vertex.agent.tool_call_args'),
      attr('tool_arguments'),
      () => unflatten(attributes, 'llm.input_messages.'),
      () => unflatten(attributes, 'gen_ai.prompt.'),
      attr('gen_ai.tool.call.arguments'),
      () => fromEvent(events, 'gen_ai.content.prompt', 'gen_ai.prompt'),
      attr('gen_ai.system_instructions'),
      () => fromEvent(events, DETAILS_EVENT, 'gen_ai.system_instructions'),
    ),
    output: pick(
      attr('gen_ai.output.messages'),
      () => fromEvent(events, DETAILS_EVENT, 'gen_ai.output.messages'),
      attr('gen_ai.completion'),
      attr('output.value'),
      attr('ai.response.text'),
      attr('ai.response.object'),
      attr('ai.response.toolCalls'),
      attr('ai.toolCall.result'),
      attr('gcp.vertex.agent.llm_response'),
      attr('gcp.vertex.agent.tool_response'),
      attr('tool_response'),
      attr('final_result'),
      () => unflatten(attributes, 'llm.output_messages.'),
      () => unflatten(attributes, 'gen_ai.completion.'),
      attr('gen_ai.tool.call.result'),
      () => fromEvent(events, 'gen_ai.content.completion', 'gen_ai.completion'),
    ),
  };
}
