// wrapOpenAI(): instruments an `openai` client object (chat.completions.create and
// responses.create, streaming included) without importing the openai package.

import type { SpanFields } from './event.js';
import { instrumentCall, num, proxyMethods, str, type ProviderAdapter, type SpanStarter, type StreamObserver } from './llm-instrument.js';

const chatAdapter: ProviderAdapter = {
  provider: 'openai',
  operation: 'chat',
  request: (p) => ({ model: typeof p.model === 'string' ? p.model : undefined, input: p.messages }),
  response: (r) => ({ ...chatUsage((r as { usage?: unknown }).usage), model: str(r, 'model'), output: chatText(r) }),
  stream: (): StreamObserver => {
    let fields: SpanFields = {};
    let text = '';
    let finish: string | undefined;
    return {
      observe(chunk) {
        const model = str(chunk, 'model');
        if (model !== undefined) fields.model = model;
        const usage = (chunk as { usage?: unknown }).usage;
        if (usage) fields = { ...fields, ...chatUsage(usage) };
        const choice = (chunk as { choices?: { delta?: { content?: unknown; tool_calls?: unknown }; finish_reason?: unknown }[] }).choices?.[0];
        if (typeof choice?.finish_reason === 'string') finish = choice.finish_reason;
        const content = choice?.delta?.content;
        if (typeof content === 'string' && content.length > 0) {
          text += content;
          return true;
        }
        return Array.isArray(choice?.delta?.tool_calls);
      },
      fields: () => ({ ...fields, output: text, attributes: finish ? { finish_reason: finish } : undefined }),
    };
  },
};

const responsesAdapter: ProviderAdapter = {
  provider: 'openai',
  operation: 'responses',
  request: (p) => ({ model: typeof p.model === 'string' ? p.model : undefined, input: p.input }),
  response: (r) => ({ ...responsesUsage((r as { usage?: unknown }).usage), model: str(r, 'model'), output: str(r, 'output_text') }),
  stream: (): StreamObserver => {
    let fields: SpanFields & { error?: unknown } = {};
    let text = '';
    return {
      observe(event) {
        const type = str(event, 'type');
        if (type === 'response.output_text.delta') {
          text += str(event, 'delta') ?? '';
          return true;
        }
        if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
          const response = (event as { response?: { usage?: unknown; error?: unknown } }).response;
          fields = { ...fields, ...responsesUsage(response?.usage), model: str(response, 'model') };
          if (type === 'response.failed' && response?.error) fields.error = response.error;
        } else if (type === 'error') {
          fields.error = { name: str(event, 'code') ?? 'StreamError', message: str(event, 'message') ?? 'stream error' };
        }
        return false;
      },
      fields: () => ({ ...fields, output: text }),
    };
  },
};

function chatUsage(u: unknown): SpanFields {
  return {
    tokensInput: num(u, 'prompt_tokens'),
    tokensOutput: num(u, 'completion_tokens'),
    tokensCacheRead: num(u, 'prompt_tokens_details', 'cached_tokens'),
    tokensReasoning: num(u, 'completion_tokens_details', 'reasoning_tokens'),
  };
}

function responsesUsage(u: unknown): SpanFields {
  return {
    tokensInput: num(u, 'input_tokens'),
    tokensOutput: num(u, 'output_tokens'),
    tokensCacheRead: num(u, 'input_tokens_details', 'cached_tokens'),
    tokensReasoning: num(u, 'output_tokens_details', 'reasoning_tokens'),
  };
}

function chatText(r: unknown): string | undefined {
  const choices = (r as { choices?: { message?: { content?: unknown } }[] }).choices;
  const c = choices?.[0]?.message?.content;
  return typeof c === 'string' ? c : undefined;
}

/**
 * Returns a proxy of `openai` whose model calls are recorded as llm_call spans of the current trace.
 * For streams, pass `stream_options: { include_usage: true }` to get token counts.
 * @example const openai = wrapOpenAI(new OpenAI(), sightline);
 */
export function wrapOpenAI<C extends object>(openai: C, sightline: SpanStarter): C {
  return proxyMethods(openai, {
    chat: { completions: { create: (orig, self) => instrumentCall(sightline, chatAdapter, orig, self) } },
    responses: { create: (orig, self) => instrumentCall(sightline, responsesAdapter, orig, self) },
  });
}
