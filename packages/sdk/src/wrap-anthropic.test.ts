// wrapAnthropic against a fake client returning the documented Messages API shapes.

import { describe, expect, it } from 'vitest';
import { memoryTransport } from '../test/support/memory-transport.js';
import { createSightline } from './client.js';

const message = {
  id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-20250514',
  content: [{ type: 'text', text: 'Hi! My name is Claude.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 2095, output_tokens: 503, cache_creation_input_tokens: 100, cache_read_input_tokens: 1800 },
};

const events = [
  { type: 'message_start', message: { id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-20250514', stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1, cache_read_input_tokens: 10, cache_creation_input_tokens: 0 } } },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '!' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } },
  { type: 'message_stop' },
];

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((r) => setTimeout(r, 1));
    yield item;
  }
}

function fakeAnthropic() {
  return {
    messages: {
      create: (params: { model: string; stream?: boolean; max_tokens?: number; messages?: unknown[] }) => Promise.resolve(params.stream ? stream(events) : message),
    },
  };
}

describe('wrapAnthropic', () => {
  it('records messages.create; tokens_input includes cache reads and writes', async () => {
    const transport = memoryTransport();
    const sl = createSightline({ transport, flushOnExit: false });
    const anthropic = sl.wrapAnthropic(fakeAnthropic());
    expect(await anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, messages: [] })).toBe(message);
    await sl.flush();
    expect(transport.events[0]).toMatchObject({
      span_type: 'llm_call', name: 'messages claude-sonnet-4-20250514', provider: 'anthropic', model: 'claude-sonnet-4-20250514',
      tokens_input: 3995, tokens_output: 503, tokens_cache_read: 1800, tokens_cache_write: 100, attributes: { stop_reason: 'end_turn' },
    });
    expect(transport.events[0]?.output).toBeUndefined();
  });

  it('records a streamed message: usage from message_start and message_delta, time to first token', async () => {
    const transport = memoryTransport();
    const sl = createSightline({ transport, flushOnExit: false, captureContent: true });
    const anthropic = sl.wrapAnthropic(fakeAnthropic());
    const s = (await anthropic.messages.create({ model: 'claude-sonnet-4-20250514', stream: true })) as AsyncIterable<unknown>;
    const types: string[] = [];
    for await (const e of s) types.push((e as { type: string }).type);
    expect(types).toEqual(events.map((e) => e.type));
    await sl.flush();
    const e = transport.events[0];
    expect(e).toMatchObject({ tokens_input: 35, tokens_output: 15, tokens_cache_read: 10, tokens_cache_write: 0, output: 'Hello!', attributes: { stop_reason: 'end_turn', stream: true } });
    expect(e?.attributes?.time_to_first_token_ms).toBeGreaterThan(0);
  });
});
