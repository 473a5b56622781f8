// A big trace in the native ingest format, shared by the trace view's browser test and its benchmark.

/** A wide trace: a root, then a step every 25 spans holding the 24 LLM and tool calls after it, with content and attributes. */
export function bigTrace(traceId: string, n: number, start: number): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  const prompt = 'Summarise the customer conversation and decide the next action. '.repeat(12);
  events.push({ timestamp: start, agent_id: 'bench-agent', trace_id: traceId, span_id: 'root', span_type: 'agent_step', name: 'run', latency_ms: n * 2 + 10, session_id: 'bench-session', user_id: 'bench-user' });
  let step = '';
  for (let i = 1; i < n; i++) {
    if (i % 25 === 1) {
      step = `step-${i}`;
      events.push({ timestamp: start + i * 2, agent_id: 'bench-agent', trace_id: traceId, span_id: step, parent_span_id: 'root', span_type: 'agent_step', name: `step ${i}`, latency_ms: 50 });
      continue;
    }
    const llm = i % 3 === 0;
    events.push({
      timestamp: start + i * 2,
      agent_id: 'bench-agent',
      trace_id: traceId,
      span_id: `s${i}`,
      parent_span_id: step,
      span_type: llm ? 'llm_call' : 'tool_call',
      name: llm ? 'chat gpt-4o' : `tool_${i % 7}`,
      latency_ms: 1 + (i % 13),
      ...(llm && { model: 'gpt-4o', tokens_input: 900, tokens_output: 120 }),
      attributes: { 'gen_ai.operation.name': llm ? 'chat' : 'execute_tool', 'server.address': 'api.openai.com', region: 'eu-west-1', attempt: 1 },
      input: llm ? JSON.stringify([{ role: 'system', content: 'You are a support agent.' }, { role: 'user', content: prompt }]) : JSON.stringify({ order_id: `o-${i}` }),
      output: llm ? JSON.stringify([{ role: 'assistant', content: `Decision ${i}: refund the order.` }]) : JSON.stringify({ status: 'ok', items: 3 }),
    });
  }
  return events;
}

/** Posts bigTrace(traceId, n, start) to `url` in batches of 1,000, each retried: a busy server may refuse one with 429/503 (or drop the connection). */
export async function postBigTrace(url: string, adminKey: string, traceId: string, n: number, start: number): Promise<void> {
  const events = bigTrace(traceId, n, start);
  for (let i = 0; i < events.length; i += 1000) {
    for (let attempt = 1; ; attempt++) {
      const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(events.slice(i, i + 1000)) }).catch((e: Error) => e);
      if (!(r instanceof Error) && r.status === 200) break;
      if (attempt === 5) throw new Error(`ingest: ${r instanceof Error ? r.message : `${r.status} ${await r.text()}`}`);
      await new Promise((done) => setTimeout(done, 1000 * attempt));
    }
  }
}
