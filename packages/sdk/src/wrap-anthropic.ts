// wrapAnthropic(): instruments an `@anthropic-ai/sdk` client object (messages.create, streaming
// included) without importing the package.

import type { SpanFields } from './event.js';
import { instrumentCall, num, proxyMethods, str, type ProviderAdapter, type SpanStarter, type StreamObserver } from './llm-instrument.js';

/** Anthropic's input_tokens excludes cache reads and writes; Sightline's tokens_input includes them. */
function usageFields(u: unknown): SpanFields {
  const input = num(u, 'input_tokens');
  const cacheRead = num(u, 'cache_read_input_tokens');
  const cacheWrite = num(u, 'cache_creation_input_tokens');
  return {
    tokensInput: input === undefined ? undefined : input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    tokensOutput: num(u, 'output_tokens'),
    tokensCacheRead: cacheRead,
    tokensCacheWrite: cacheWrite,
  };
}

function messageText(r: unknown): string | undefined {
  const content = (r as { content?: { type?: unknown; text?: unknown }[] }).content;
  if (!Array.isArray(content)) return undefined;
  return content.map((b) => (b.type === 'text' && typeof b.text === 'string' ? b.text : '')).join('');
}

const messagesAdapter: ProviderAdapter = {
  provider: 'anthropic',
  operation: 'messages',
  request: (p) => ({ model: typeof p.model === 'string' ? p.model : undefined, input: p.messages }),
  response: (r) => ({ ...usageFields((r as { usage?: unknown }).usage), model: str(r, 'model'), output: messageText(r), attributes: stopReason(str(r, 'stop_reason')) }),
  stream: (): StreamObserver => {
    let fields: SpanFields & { error?: unknown } = {};
    let text = '';
    let stop: string | undefined;
    return {
      observe(event) {
        switch (str(event, 'type')) {
          case 'message_start': {
            const message = (event as { message?: { usage?: unknown } }).message;
            fields = { ...fields, ...usageFields(message?.usage), model: str(message, 'model') };
            return false;
          }
          case 'content_block_delta': {
            const delta = (event as { delta?: { text?: unknown; partial_json?: unknown } }).delta;
            if (typeof delta?.text === 'string') text += delta.text;
            return true;
          }
          case 'message_delta': {
            // output_tokens here is cumulative for the message.
            const out = num(event, 'usage', 'output_tokens');
            if (out !== undefined) fields.tokensOutput = out;
            stop = str(event, 'delta', 'stop_reason') ?? stop;
            return false;
          }
          case 'error':
            fields.error = { name: str(event, 'error', 'type') ?? 'StreamError', message: str(event, 'error', 'message') ?? 'stream error' };
            return false;
          default:
            return false;
        }
      },
      fields: () => ({ ...fields, output: text, attributes: stopReason(stop) }),
    };
  },
};

function stopReason(s: string | undefined): Record<string, unknown> | undefined {
  return s === undefined ? undefined : { stop_reason: s };
}

/**
 * Returns a proxy of `anthropic` whose messages.create calls are recorded as llm_call spans.
 * @example const anthropic = wrapAnthropic(new Anthropic(), sightline);
 */
export function wrapAnthropic<C extends object>(anthropic: C, sightline: SpanStarter): C {
  return proxyMethods(anthropic, {
    messages: { create: (orig, self) => instrumentCall(sightline, messagesAdapter, orig, self) },
  });
}
