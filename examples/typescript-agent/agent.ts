// A small support agent instrumented with @sightline/sdk. Its "LLM" is a fake OpenAI client that
// sleeps a little and answers with OpenAI's response shapes, so the traces look like real ones:
// plan → route decision → tool calls → streamed answer, with occasional tool failures and rate limits.
//
// Run against `npm run demo` (see README.md): SIGHTLINE_API_KEY=<key> npx tsx examples/typescript-agent/agent.ts

import { createSightline } from '@sightline/sdk';

const TICKETS = Number(process.env.TICKETS ?? 40);
const sightline = createSightline({
  endpoint: process.env.SIGHTLINE_ENDPOINT ?? 'http://localhost:4318',
  apiKey: process.env.SIGHTLINE_API_KEY,
  agentId: process.env.SIGHTLINE_AGENT_ID ?? 'example-support-agent-ts',
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

/** Answers like openai's chat.completions.create, after a model-like delay. */
function fakeOpenAI() {
  return {
    chat: {
      completions: {
        async create(params: { model: string; messages: { role: string; content: string }[]; stream?: boolean }) {
          await sleep(40 + Math.random() * 120);
          if (Math.random() < 0.03) throw Object.assign(new Error('Rate limit reached for requests'), { name: 'RateLimitError', status: 429 });
          const prompt = params.messages.reduce((n, m) => n + m.content.length, 0);
          const usage = { prompt_tokens: 300 + prompt, completion_tokens: 40 + Math.floor(Math.random() * 200), prompt_tokens_details: { cached_tokens: 256 } };
          const text = 'Thanks for reaching out — I have issued your refund.';
          if (!params.stream) {
            return { object: 'chat.completion', model: `${params.model}-2024-07-18`, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage };
          }
          return (async function* () {
            for (const word of text.split(' ')) {
              await sleep(5);
              yield { object: 'chat.completion.chunk', model: `${params.model}-2024-07-18`, choices: [{ index: 0, delta: { content: `${word} ` }, finish_reason: null }], usage: null };
            }
            yield { object: 'chat.completion.chunk', model: `${params.model}-2024-07-18`, choices: [], usage };
          })();
        },
      },
    },
  };
}

const openai = sightline.wrapOpenAI(fakeOpenAI());

async function handleTicket(i: number): Promise<void> {
  const user = `user-${i % 7}`;
  await sightline.trace('handle_ticket', { sessionId: `session-${i}`, userId: user, attributes: { channel: pick(['email', 'chat']) } }, async () => {
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Ticket ${i}: where is my refund?` }] });
    const route = Math.random() < 0.7 ? 'refund' : pick(['escalate', 'ask_clarification']);
    sightline.decision('route_ticket', { chosen: route, confidence: 0.55 + Math.random() * 0.45, options: ['refund', 'escalate', 'ask_clarification'] });
    await sightline.span('tool_call', 'lookup_order', { attributes: { order_id: `A-${1000 + i}` } }, async () => {
      await sleep(10 + Math.random() * 30);
      if (Math.random() < 0.08) throw new Error('orders service timed out');
    });
    if (route === 'refund') await sightline.span('tool_call', 'issue_refund', () => sleep(15));
    const stream = (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'write the reply' }], stream: true })) as AsyncIterable<unknown>;
    let chunks = 0;
    // A real agent would forward the tokens to the user here.
    for await (const chunk of stream) if (chunk) chunks++;
    sightline.currentSpan()?.setAttribute('reply_chunks', chunks);
  });
}

let failures = 0;
for (let i = 0; i < TICKETS; i += 4) {
  // Four tickets at a time: their spans nest correctly without passing ids around.
  const batch = [i, i + 1, i + 2, i + 3].filter((n) => n < TICKETS).map((n) => handleTicket(n).catch(() => failures++));
  await Promise.all(batch);
}
await sightline.shutdown({ timeoutMs: 5000 });
console.log(`handled ${TICKETS} tickets (${failures} failed); sdk stats:`, sightline.stats());
