// The trace viewer's and sessions page's API over HTTP against the real server (content capture
// on): a trace's outline as rows (gzip when asked), one span in full, trace search by session,
// user and attribute value, sessions and users ranked; bad parameters get 400s naming the problem.

import { gunzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const MIN = 60_000;
const T = Math.floor(Date.now() / MIN) * MIN - 20 * MIN;
const TRACE = 'ab'.repeat(16);

const events = [
  { trace_id: TRACE, span_id: 'r', agent_id: 'bot', span_type: 'agent_step', name: 'handle', timestamp: T, latency_ms: 900, session_id: 's-1', user_id: 'u-1', input: 'hi', output: 'hello', attributes: { region: 'eu' } },
  { trace_id: TRACE, span_id: 'c', parent_span_id: 'r', agent_id: 'bot', span_type: 'llm_call', name: 'chat', model: 'gpt-4o', timestamp: T + 10, latency_ms: 500, tokens_input: 100, tokens_output: 20, cost_usd: 0.5, session_id: 's-1', user_id: 'u-1', attributes: { retries: 2 } },
  { trace_id: 'cd'.repeat(16), span_id: 'x', agent_id: 'bot', span_type: 'tool_call', name: 'lookup', timestamp: T + 5 * MIN, latency_ms: 40, cost_usd: 1.25, session_id: 's-1', user_id: 'u-1', error: { type: 'timeout', message: 'slow' } },
  { trace_id: 'ef'.repeat(16), span_id: 'y', agent_id: 'bot', span_type: 'llm_call', name: 'chat', model: 'gpt-4o', timestamp: T + 6 * MIN, latency_ms: 40, cost_usd: 2, session_id: 's-2', user_id: 'u-2' },
];

describe('trace view, sessions and users over HTTP', () => {
  let server: RunningServer;
  const get = <B = any>(path: string) => request<B>(`${server.url}${path}`, { key: server.adminKey });
  const range = `from=${T - MIN}&to=${T + 30 * MIN}`;

  beforeAll(async () => {
    server = await startServer({ args: ['--capture-content'] });
    const r = await request(`${server.url}/v1/events`, { key: server.adminKey, body: events });
    expect(r.body).toMatchObject({ accepted: 4 });
  }, 60_000);
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('GET /api/traces/{id}/outline: every span as a row of the named fields, no content or attributes', async () => {
    const r = await get(`/api/traces/${TRACE}/outline`);
    expect(r.status).toBe(200);
    expect(r.body.trace_id).toBe(TRACE);
    expect(r.body.start).toBe(T);
    expect(r.body.count).toBe(2);
    const spans = r.body.rows.map((row: unknown[]) => Object.fromEntries(r.body.fields.map((f: string, i: number) => [f, row[i]])));
    expect(spans.map((s: any) => [s.span_id, s.parent_span_id, s.timestamp, s.name, s.cost_usd, s.has_content])).toEqual([
      ['r', null, T, 'handle', null, true],
      ['c', 'r', T + 10, 'chat', 0.5, false],
    ]);
    expect(r.body.fields).not.toContain('attributes');
    expect(r.body.fields).not.toContain('input');
    expect((await get(`/api/traces/${TRACE}/outline?at=${T}`)).body).toEqual(r.body);
    expect((await get(`/api/traces/${'00'.repeat(16)}/outline`)).body).toEqual({ error: { code: 'not_found', message: `trace ${'00'.repeat(16)} not found` } });
    expect((await get(`/api/traces/${TRACE}/outline`)).headers.get('server-timing')).toMatch(/^store;dur=\d+\.\d$/);
  });

  it('GET /api/traces/{id}: every span in full with its tree, and where the time went (Server-Timing)', async () => {
    const r = await get(`/api/traces/${TRACE}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('server-timing')).toMatch(/^store;dur=\d+\.\d, encode;dur=\d+\.\d$/);
    expect(r.body.spans.map((s: any) => [s.span_id, s.input, s.attributes])).toEqual([
      ['r', 'hi', { region: 'eu' }],
      ['c', null, { retries: 2 }],
    ]);
    expect(r.body.tree).toEqual([{ span_id: 'r', children: [{ span_id: 'c', children: [] }] }]);
    expect((await get(`/api/traces/${'00'.repeat(16)}`)).body).toEqual({ error: { code: 'not_found', message: `trace ${'00'.repeat(16)} not found` } });
  });

  it('compresses a large outline for a client that accepts gzip', async () => {
    const big = Array.from({ length: 300 }, (_, i) => ({ trace_id: 'be'.repeat(16), span_id: `s${i}`, agent_id: 'bot', span_type: 'tool_call', name: `tool ${i}`, timestamp: T + i, latency_ms: 1 }));
    expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body: big })).body).toMatchObject({ accepted: 300 });
    const plain = await request(`${server.url}/api/traces/${'be'.repeat(16)}/outline`, { key: server.adminKey, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBe(null);
    // fetch asks for gzip; a small outline goes as it is.
    expect((await get(`/api/traces/${TRACE}/outline`)).headers.get('content-encoding')).toBe(null);
    const { encoding, body } = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/traces/${'be'.repeat(16)}/outline`, { headers: { authorization: `Bearer ${server.adminKey}`, 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(body).toString())).toEqual(plain.body);
    expect(plain.body.count).toBe(300);
  });

  it('GET /api/traces/{id}/spans/{span}: one span in full, content and attributes included', async () => {
    const r = await get(`/api/traces/${TRACE}/spans/r?at=${T}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ span_id: 'r', trace_id: TRACE, name: 'handle', input: 'hi', output: 'hello', attributes: { region: 'eu' } });
    expect((await get(`/api/traces/${TRACE}/spans/nope`)).body).toEqual({ error: { code: 'not_found', message: `span nope of trace ${TRACE} not found` } });
  });

  it('GET /api/traces filters by session_id, user_id and attr.<key>=<value>', async () => {
    const ids = async (q: string) => ((await get(`/api/traces?${range}&${q}`)).body.traces as { trace_id: string }[]).map((t) => t.trace_id);
    expect(await ids('session_id=s-1')).toEqual(['cd'.repeat(16), TRACE]);
    expect(await ids('user_id=u-2')).toEqual(['ef'.repeat(16)]);
    expect(await ids('attr.region=eu')).toEqual([TRACE]);
    expect(await ids('attr.retries=2')).toEqual([TRACE]);
    expect(await ids('attr.region=eu&attr.retries=3')).toEqual([]);
    expect(await ids('text=hello')).toEqual([TRACE]);
    const bad = await get(`/api/traces?${range}&attr.=x`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('attr.: names no attribute; use attr.<key>=<value>, e.g. attr.region=eu');
    const many = await get(`/api/traces?${range}&${[1, 2, 3, 4, 5, 6].map((i) => `attr.k${i}=v`).join('&')}`);
    expect(many.body.error.message).toBe('attr.*: 6 attribute conditions; the limit is 5');
    expect((await get(`/api/traces?${range}&session_id=${'s'.repeat(300)}`)).body.error.message).toBe('session_id: is 300 characters; the limit is 256');
  });

  it('GET /api/sessions and /api/users: sessions most recent first, users ranked by cost or errors', async () => {
    const sessions = (await get(`/api/sessions?${range}`)).body.sessions;
    expect(sessions).toEqual([
      { session_id: 's-2', user_id: 'u-2', agents: ['bot'], turns: 1, start: T + 6 * MIN, end: T + 6 * MIN + 40, span_count: 1, error_count: 0, cost_usd: 2, tokens: 0 },
      { session_id: 's-1', user_id: 'u-1', agents: ['bot'], turns: 2, start: T, end: T + 5 * MIN + 40, span_count: 3, error_count: 1, cost_usd: 1.75, tokens: 120 },
    ]);
    expect((await get(`/api/sessions?${range}&session_id=s-1`)).body.sessions).toEqual([sessions[1]]);
    expect((await get(`/api/sessions?${range}&user_id=u-2`)).body.sessions).toEqual([sessions[0]]);
    const users = async (order: string) => ((await get(`/api/users?${range}&order=${order}`)).body.users as { user_id: string }[]).map((u) => u.user_id);
    expect(await users('cost')).toEqual(['u-2', 'u-1']);
    expect(await users('errors')).toEqual(['u-1', 'u-2']);
    expect((await get(`/api/users?${range}`)).body.users[1]).toEqual({ user_id: 'u-1', sessions: 1, traces: 2, span_count: 3, error_count: 1, cost_usd: 1.75, tokens: 120, last_seen: T + 5 * MIN });
    expect((await get(`/api/users?${range}&order=tokens`)).body.error.message).toBe('order: "tokens" is not one of cost, errors');
  });
});
