// wrapOpenAI against a fake client returning the documented response and stream-chunk shapes.

import { describe, expect, it } from 'vitest';
import { memoryTransport } from '../test/support/memory-transport.js';
import { createSightline } from './client.js';

const chatCompletion = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4.1-2025-04-14',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help?', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 10,
    total_tokens: 29,
    prompt_tokens_details: { cached_tokens: 8, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 3, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
};

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1694268190, model: 'gpt-4o-mini', system_fingerprint: 'fp_44709d6fcb', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null };
}

const chatChunks = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Hel' }),
  chunk({ content: 'lo' }),
  chunk({}, 'stop'),
  { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1694268190, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } },
];

const response = {
  id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
  object: 'response',
  created_at: 1741476542,
  status: 'completed',
  error: null,
  model: 'gpt-4.1-2025-04-14',
  output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'In a peaceful grove…', annotations: [] }] }],
  output_text: 'In a peaceful grove…',
  usage: { input_tokens: 36, input_tokens_details: { cached_tokens: 4 }, output_tokens: 87, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 123 },
};

/** Mimics openai's APIPromise: a Promise with extra methods. */
class APIPromise<T> extends Promise<T> {
  withResponse(): Promise<{ data: T; response: { status: number } }> {
    return this.then((data) => ({ data, response: { status: 200 } }));
  }
}

async function* stream<T>(items: T[], failAfter?: number): AsyncGenerator<T> {
  for (let i = 0; i < items.length; i++) {
    if (i === failAfter) throw new Error('stream cut');
    await new Promise((r) => setTimeout(r, 1));
    yield items[i] as T;
  }
}

async function drain(s: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const c of s) if (c) n++;
  return n;
}

function fakeOpenAI() {
  return {
    apiKey: 'sk-fake',
    chat: {
      completions: {
        create(params: { stream?: boolean; model: string; fail?: boolean }) {
          if (params.fail) return APIPromise.reject(Object.assign(new Error('Rate limit reached'), { name: 'RateLimitError', status: 429 })) as APIPromise<never>;
          return new APIPromise((resolve) => resolve(params.stream ? { controller: {}, [Symbol.asyncIterator]: () => stream(chatChunks)[Symbol.asyncIterator]() } : chatCompletion));
        },
      },
    },
    responses: {
      create(params: { stream?: boolean }) {
        if (!params.stream) return Promise.resolve(response);
        return Promise.resolve(
          stream([
            { type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', usage: null } },
            { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'In a' },
            { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: ' peaceful grove…' },
            { type: 'response.completed', sequence_number: 3, response },
          ]),
        );
      },
    },
  };
}

function setup() {
  const transport = memoryTransport();
  const sl = createSightline({ agentId: 'bot', transport, flushOnExit: false, captureContent: true });
  return { sl, transport, openai: sl.wrapOpenAI(fakeOpenAI()) };
}

describe('wrapOpenAI', () => {
  it('records chat.completions.create with usage, keeping the APIPromise methods', async () => {
    const { sl, transport, openai } = setup();
    const p = sl.trace('answer', () => openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] } as never));
    expect(typeof (p as APIPromise<unknown>).withResponse).toBe('function');
    expect(await p).toBe(chatCompletion);
    await sl.flush();
    const [llm, root] = transport.events;
    expect(llm).toMatchObject({
      span_type: 'llm_call', name: 'chat gpt-4.1', provider: 'openai', model: 'gpt-4.1-2025-04-14', parent_span_id: root?.span_id,
      tokens_input: 19, tokens_output: 10, tokens_cache_read: 8, tokens_reasoning: 3,
      input: '[{"role":"user","content":"hi"}]', output: 'Hello! How can I help?',
    });
    expect(openai.apiKey).toBe('sk-fake');
  });

  it('records a streamed chat completion: usage from the final chunk, time to first token', async () => {
    const { sl, transport, openai } = setup();
    const s = (await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true } as never)) as AsyncIterable<unknown> & { controller: unknown };
    expect(s.controller).toEqual({});
    const seen: unknown[] = [];
    for await (const c of s) seen.push(c);
    expect(seen).toEqual(chatChunks);
    await sl.flush();
    const e = transport.events[0];
    expect(e).toMatchObject({ model: 'gpt-4o-mini', tokens_input: 12, tokens_output: 2, output: 'Hello', attributes: { finish_reason: 'stop', stream: true } });
    const ttft = e?.attributes?.time_to_first_token_ms as number;
    expect(ttft).toBeGreaterThan(0);
    expect(ttft).toBeLessThan(e?.latency_ms as number);
  });

  it('records errors and rethrows the provider error unchanged', async () => {
    const { sl, transport, openai } = setup();
    const err = await openai.chat.completions.create({ model: 'gpt-4.1', fail: true } as never).then(() => undefined, (e: unknown) => e);
    expect((err as { status: number }).status).toBe(429);
    await sl.flush();
    expect(transport.events[0]).toMatchObject({ span_type: 'llm_call', error: { type: 'RateLimitError', message: 'Rate limit reached' } });
  });

  it('records responses.create, plain and streamed', async () => {
    const { sl, transport, openai } = setup();
    await openai.responses.create({ model: 'gpt-4.1', input: 'tell me a story' } as never);
    const s = (await openai.responses.create({ model: 'gpt-4.1', input: 'again', stream: true } as never)) as AsyncIterable<unknown>;
    await drain(s);
    await sl.flush();
    const expected = { name: 'responses gpt-4.1', provider: 'openai', model: 'gpt-4.1-2025-04-14', tokens_input: 36, tokens_output: 87, tokens_cache_read: 4, tokens_reasoning: 0, output: 'In a peaceful grove…' };
    expect(transport.events[0]).toMatchObject({ ...expected, input: 'tell me a story' });
    expect(transport.events[1]).toMatchObject({ ...expected, input: 'again', attributes: { stream: true } });
  });

  it('ends the span with the error when a stream breaks midway', async () => {
    const transport = memoryTransport();
    const sl = createSightline({ transport, flushOnExit: false });
    const client = sl.wrapOpenAI({ chat: { completions: { create: (_params: unknown) => Promise.resolve(stream(chatChunks, 2)) } } });
    const s = (await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true } as never)) as AsyncIterable<unknown>;
    await expect(drain(s)).rejects.toThrow('stream cut');
    await sl.flush();
    expect(transport.events[0]?.error).toEqual({ type: 'Error', message: 'stream cut' });
  });
});
