// The OpenAI Agents SDK (@openai/agents, real Runner, real tracing) with a fake model provider
// (its Model and ModelProvider interfaces, no network), traced by the SDK's Agents processor into
// the real Sightline server and read back through the query API.

import {
  Agent,
  InputGuardrailTripwireTriggered,
  Runner,
  Usage,
  setTraceProcessors,
  setTracingDisabled,
  tool,
  withGenerationSpan,
  withResponseSpan,
  type Model,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
} from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { createOpenAIAgentsProcessor, createSightline, type Sightline } from '../src/index.js';

type Output = ModelResponse['output'];
interface Step {
  output: Output;
  usage: { input: number; output: number; cached?: number; reasoning?: number };
}

/** A scripted model: each call returns the next step, inside the span a real model adapter opens. */
class FakeModel implements Model {
  private calls = 0;
  constructor(
    private readonly name: string,
    private readonly steps: Step[],
    private readonly spanKind: 'generation' | 'response',
  ) {}

  async getResponse(_request: ModelRequest): Promise<ModelResponse> {
    const step = this.steps[this.calls++];
    if (step === undefined) throw new Error(`${this.name}: no scripted step ${this.calls}`);
    const { input, output, cached = 0, reasoning = 0 } = step.usage;
    const usage = new Usage({ requests: 1, inputTokens: input, outputTokens: output, totalTokens: input + output });
    const wire = { input_tokens: input, output_tokens: output, input_tokens_details: { cached_tokens: cached }, output_tokens_details: { reasoning_tokens: reasoning } };
    if (this.spanKind === 'generation') {
      return withGenerationSpan(async (span) => {
        span.spanData.model = this.name;
        span.spanData.usage = { input_tokens: input, output_tokens: output, details: { cached_tokens: cached, reasoning_tokens: reasoning } };
        return { usage, output: step.output };
      });
    }
    return withResponseSpan(async (span) => {
      span.spanData.response_id = `resp_${this.calls}`;
      span.spanData._response = { id: `resp_${this.calls}`, model: this.name, usage: wire, output: step.output };
      return { usage, output: step.output, responseId: `resp_${this.calls}` };
    });
  }

  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('streaming is not scripted');
  }
}

class FakeProvider implements ModelProvider {
  constructor(private readonly models: Record<string, Model>) {}
  getModel(name?: string): Model {
    const model = name === undefined ? undefined : this.models[name];
    if (model === undefined) throw new Error(`no fake model named ${String(name)}`);
    return model;
  }
}

const say = (text: string): Output[number] => ({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] });
const call = (name: string, args: object, callId: string): Output[number] => ({ type: 'function_call', callId, name, arguments: JSON.stringify(args), status: 'completed' });

let server: RunningServer;
let sightline: Sightline;

beforeAll(async () => {
  server = await startServer();
  sightline = createSightline({ endpoint: server.url, apiKey: server.adminKey, agentId: 'support-service', flushOnExit: false });
  // Replaces the SDK's default processor (which exports to OpenAI) with ours.
  setTraceProcessors([createOpenAIAgentsProcessor(sightline)]);
  setTracingDisabled(false);
});

afterAll(async () => {
  await sightline?.shutdown();
  await server?.stop({ remove: true });
});

async function readTrace(traceId: string): Promise<Record<string, any>[]> {
  const reply = await fetch(`${server.url}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
  expect(reply.status).toBe(200);
  return ((await reply.json()) as { spans: Record<string, any>[] }).spans;
}

function agents() {
  const refundOrder = tool({
    name: 'refund_order',
    description: 'Refunds an order',
    parameters: z.object({ orderId: z.string() }),
    execute: async ({ orderId }) => `refunded ${orderId}`,
  });
  const refunds = new Agent({ name: 'refunds', instructions: 'Refund orders.', model: 'fake-refunds', tools: [refundOrder] });
  const triage = new Agent({
    name: 'triage',
    instructions: 'Route the customer.',
    model: 'fake-triage',
    handoffs: [refunds],
    inputGuardrails: [
      {
        name: 'no_card_numbers',
        execute: async ({ input }) => ({ tripwireTriggered: JSON.stringify(input).includes('4111'), outputInfo: {} }),
      },
    ],
  });
  return { triage };
}

describe('OpenAI Agents SDK → Sightline processor → real server', () => {
  it('maps agent, turn, generation, response, function, handoff and guardrail spans with agent, session and user', async () => {
    const provider = new FakeProvider({
      'fake-triage': new FakeModel('gpt-4o-mini', [{ output: [call('transfer_to_refunds', {}, 'c1')], usage: { input: 1200, output: 40, cached: 1000 } }], 'generation'),
      'fake-refunds': new FakeModel(
        'gpt-4o',
        [
          { output: [call('refund_order', { orderId: 'A-17' }, 'c2')], usage: { input: 300, output: 20 } },
          { output: [say('Refunded A-17.')], usage: { input: 400, output: 30, reasoning: 8 } },
        ],
        'response',
      ),
    });
    const runner = new Runner({ modelProvider: provider, groupId: 'conv-9', traceMetadata: { user_id: 'u-5' }, workflowName: 'Support workflow' });
    const result = await runner.run(agents().triage, 'Refund order A-17');
    expect(result.finalOutput).toBe('Refunded A-17.');
    await sightline.flush();

    const [traceId] = await tracesWithDecision('refunds');
    const spans = await readTrace(traceId!);
    const summary = spans
      .map((s) => [s.span_type, s.name, s.agent_id, s.decision_made, s.model, s.tokens_input, s.tokens_output, s.tokens_cache_read, s.tokens_reasoning])
      .sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : String(a[1]) > String(b[1]) ? 1 : Number(a[5]) - Number(b[5])));
    expect(summary).toEqual([
      ['agent_step', 'Support workflow', 'support-service', null, null, 0, 0, 0, 0],
      ['llm_call', 'gpt-4o', 'refunds', null, 'gpt-4o', 300, 20, 0, 0],
      ['llm_call', 'gpt-4o', 'refunds', null, 'gpt-4o', 400, 30, 0, 8],
      ['llm_call', 'gpt-4o-mini', 'triage', null, 'gpt-4o-mini', 1200, 40, 1000, 0],
      ['decision', 'handoff', 'triage', 'refunds', null, 0, 0, 0, 0],
      ['decision', 'no_card_numbers', 'triage', 'passed', null, 0, 0, 0, 0],
      ['tool_call', 'refund_order', 'refunds', 'refund_order', null, 0, 0, 0, 0],
      ['agent_step', 'refunds', 'refunds', null, null, 0, 0, 0, 0],
      ['agent_step', 'triage', 'triage', null, null, 0, 0, 0, 0],
      ['agent_step', 'turn 1', 'triage', null, null, 0, 0, 0, 0],
      ['agent_step', 'turn 2', 'refunds', null, null, 0, 0, 0, 0],
      ['agent_step', 'turn 3', 'refunds', null, null, 0, 0, 0, 0],
    ]);
    for (const s of spans) expect([s.session_id, s.user_id]).toEqual(['conv-9', 'u-5']);

    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const parentName = (name: string) => byId.get(spans.find((s) => s.name === name)!.parent_span_id)?.name ?? null;
    expect(parentName('Support workflow')).toBeNull();
    expect(parentName('triage')).toBe('Support workflow');
    expect(parentName('refunds')).toBe('Support workflow');
    expect(parentName('no_card_numbers')).toBe('triage');
    expect(parentName('handoff')).toBe('turn 1');
    expect(parentName('refund_order')).toBe('turn 2');
    // Task and turn usage is the sum of the model calls: kept as attributes, counted once.
    const task = spans.find((s) => s.name === 'Support workflow')!;
    expect(task.attributes['agents.usage']).toMatchObject({ input_tokens: 1900, output_tokens: 90, requests: 3 });
    expect(spans.reduce((sum, s) => sum + s.tokens_input, 0)).toBe(1900);
    expect(spans.find((s) => s.model === 'gpt-4o-mini')!.cost_source).toBe('computed');
  });

  it('a tripped guardrail is a "triggered" decision and the run error is on its agent', async () => {
    const provider = new FakeProvider({ 'fake-triage': new FakeModel('gpt-4o-mini', [{ output: [say('ok')], usage: { input: 10, output: 1 } }], 'generation'), 'fake-refunds': new FakeModel('gpt-4o', [], 'response') });
    const runner = new Runner({ modelProvider: provider, groupId: 'conv-10' });
    const failure = await runner.run(agents().triage, 'My card is 4111 1111 1111 1111').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(InputGuardrailTripwireTriggered);
    await sightline.flush();
    const found = await tracesWithDecision('triggered');
    expect(found).toHaveLength(1);
    const spans = await readTrace(found[0]!);
    expect(spans.find((s) => s.name === 'no_card_numbers')).toMatchObject({ span_type: 'decision', decision_made: 'triggered', agent_id: 'triage', session_id: 'conv-10' });
    expect(spans.find((s) => s.name === 'triage')).toMatchObject({ span_type: 'agent_step', error_type: 'agent_error' });
  });
});

async function tracesWithDecision(decision: string): Promise<string[]> {
  const reply = await fetch(`${server.url}/api/traces?decision=${decision}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
  expect(reply.status).toBe(200);
  return ((await reply.json()) as { traces: { trace_id: string }[] }).traces.map((t) => t.trace_id);
}
