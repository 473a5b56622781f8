// The dashboard's data feed against the real server: /api/live's coalesced `changed` events name
// exactly the range that was committed, and /api/agents gives in one query what one overview per
// agent gave.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const MIN = 60_000;

describe('live changes and the agents table', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  async function live(query: string) {
    const ctrl = new AbortController();
    const res = await fetch(`${server.url}/api/live?${query}`, { headers: { authorization: `Bearer ${server.adminKey}` }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const next = async (): Promise<{ event: string; data: string }> => {
      for (;;) {
        const m = /event: (\w+)\ndata: (.*)\n\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return { event: m[1]!, data: m[2]! };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream closed');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    return { next, close: () => ctrl.abort() };
  }

  const post = async (body: unknown[]) => expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body })).body).toMatchObject({ accepted: body.length });

  it('coalesces committed spans into changed events naming their timestamp range, without span events when asked', async () => {
    const stream = await live('changes_ms=60000&spans=false');
    expect((await stream.next()).event).toBe('ready');
    const t = Math.floor(Date.now() / MIN) * MIN;
    // The first batch goes out at once; the two after it wait for the interval and come as one.
    await post([{ agent_id: 'a', timestamp: t - 5 * MIN }, { agent_id: 'b', timestamp: t - 2 * MIN }]);
    expect(await stream.next()).toEqual({ event: 'changed', data: JSON.stringify({ from: t - 5 * MIN, to: t - 2 * MIN, spans: 2 }) });
    stream.close();

    const fast = await live('changes_ms=250&spans=false&agent=c');
    expect((await fast.next()).event).toBe('ready');
    await post([{ agent_id: 'c', timestamp: t - 30 * MIN }]);
    expect(await fast.next()).toEqual({ event: 'changed', data: JSON.stringify({ from: t - 30 * MIN, to: t - 30 * MIN, spans: 1 }) });
    // Within the 250 ms after that event: both batches land in one event (other agents filtered out).
    await post([{ agent_id: 'c', timestamp: t - 3 * MIN }, { agent_id: 'other', timestamp: t - 90 * MIN }]);
    await post([{ agent_id: 'c', timestamp: t - 7 * MIN }]);
    const e = await fast.next();
    expect(e.event).toBe('changed');
    const r = JSON.parse(e.data) as { from: number; to: number; spans: number };
    // Either one event for both (they were committed within the interval) or two in a row.
    if (r.spans === 3) throw new Error('the other agent leaked in');
    if (r.spans === 2) expect(r).toEqual({ from: t - 7 * MIN, to: t - 3 * MIN, spans: 2 });
    else expect([r, JSON.parse((await fast.next()).data)]).toEqual([{ from: t - 3 * MIN, to: t - 3 * MIN, spans: 1 }, { from: t - 7 * MIN, to: t - 7 * MIN, spans: 1 }]);
    fast.close();
  });

  it('keeps the plain stream as it was: span events only', async () => {
    const stream = await live('');
    expect((await stream.next()).event).toBe('ready');
    await post([{ agent_id: 'plain', timestamp: Date.now() }]);
    expect(await stream.next()).toMatchObject({ event: 'span', data: expect.stringContaining('"agent_id":"plain"') });
    await post([{ agent_id: 'plain2', timestamp: Date.now() }]);
    expect(await stream.next()).toMatchObject({ event: 'span', data: expect.stringContaining('"agent_id":"plain2"') });
    stream.close();
  });

  it('rejects a changes_ms outside its limits, naming them', async () => {
    const r = await request(`${server.url}/api/live?changes_ms=10`, { key: server.adminKey });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('changes_ms: \\"10\\" is not a number in 250..60000');
  });

  it('answers the agents table in one query with the figures of one overview per agent', async () => {
    const to = Math.floor(Date.now() / MIN) * MIN;
    const spans = [];
    for (let i = 0; i < 40; i++) {
      spans.push({ agent_id: 'tbl-x', timestamp: to - 100 * MIN + i * MIN, latency_ms: 100 + i * 10, cost_usd: 0.01, ...(i % 4 === 0 && { error: { type: 'boom' } }) });
      if (i < 10) spans.push({ agent_id: 'tbl-y', timestamp: to - 150 * MIN + i * 7 * MIN, latency_ms: 2000 + i, cost_usd: 0.5 });
    }
    await post(spans);
    const q = `from=${to - 180 * MIN}&to=${to}`;
    const table = (await request<{ agents: Record<string, unknown>[] }>(`${server.url}/api/agents?${q}`, { key: server.adminKey })).body;
    const rows = table.agents.filter((a) => String(a['agent']).startsWith('tbl-'));
    // Minute precision from the start of the previous hour on; the end of the hour before that.
    const HOUR = 60 * MIN;
    const seen = (last: number) => (last >= Math.floor(to / HOUR) * HOUR - HOUR ? last + MIN : Math.floor(last / HOUR) * HOUR + HOUR);
    expect(rows.map((a) => [a['agent'], a['spans'], a['errors'], a['last_seen']])).toEqual([
      ['tbl-x', 40, 10, seen(to - 61 * MIN)],
      ['tbl-y', 10, 0, seen(to - 150 * MIN + 63 * MIN)],
    ]);
    for (const row of rows) {
      const o = (await request<{ current: Record<string, number> }>(`${server.url}/api/overview?${q}&agent=${row['agent']}`, { key: server.adminKey })).body.current;
      expect([row['spans'], row['errors'], row['error_rate'], row['latency_p95_ms'], row['cost_usd'], row['tokens']]).toEqual([o['spans'], o['errors'], o['error_rate'], o['latency_p95_ms'], o['cost_usd'], o['tokens']]);
    }
  });
});
