// API key lifecycle over HTTP: a key with an expiry works until it passes, then answers 401
// "expired" at once (the lookup cache does not extend it); a revoked key answers 401 "revoked"
// on its next request; a live stream ends when its key is revoked or expires; an expiry that is
// not whole milliseconds in the future (1.5, 1e300, the past) is refused with 400.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

describe('API key expiry and revocation', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  const mk = async (body: Record<string, unknown>) =>
    (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes: ['read'], ...body } })).body as { key: string; id: string };
  const overview = (key: string) => request(`${server.url}/api/overview`, { key });

  it('refuses a key once its expiry has passed, even while its lookup is cached', async () => {
    const shortLived = await mk({ expires_at: Date.now() + 1_200 });
    expect((await overview(shortLived.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await overview(shortLived.key)).toMatchObject({ status: 401, body: { error: { message: 'API key has expired' } } });
  });

  it('refuses a revoked key on its next request', async () => {
    const k = await mk({});
    expect((await overview(k.key)).status).toBe(200);
    expect((await request(`${server.url}/api/keys/${k.id}`, { method: 'DELETE', key: server.adminKey })).status).toBe(200);
    expect(await overview(k.key)).toMatchObject({ status: 401, body: { error: { message: 'API key has been revoked' } } });
  });

  it('rejects an expiry that is not whole epoch milliseconds in the future, naming the field', async () => {
    const keyCount = async () => ((await request(`${server.url}/api/keys`, { key: server.adminKey })).body.keys as unknown[]).length;
    const before = await keyCount();
    const create = (expires_at: unknown) => request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes: ['read'], expires_at } });
    const message = async (expires_at: unknown) => {
      const r = await create(expires_at);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
      return r.body.error.message as string;
    };
    expect(await message('2030-01-01')).toBe('expires_at: must be epoch milliseconds (a whole number), got "2030-01-01"');
    expect(await message(1.5)).toBe('expires_at: must be epoch milliseconds (a whole number), got 1.5');
    expect(await message(1e300)).toBe('expires_at: 1e+300 is after the year 9999 (the limit is 253402300799999 ms)');
    const past = Date.now() - 1;
    expect(await message(past)).toMatch(new RegExp(`^expires_at: ${past} has already passed \\(now is \\d+ ms\\); a key must expire in the future$`));
    // None of them made a key.
    expect(await keyCount()).toBe(before);
  });

  /** Opens /api/live with `key`; events() yields each SSE event until the server ends the stream. */
  async function live(key: string) {
    const res = await fetch(`${server.url}/api/live`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    return async function next(): Promise<{ event: string; data: string } | 'closed'> {
      for (;;) {
        const m = /event: (\w+)\ndata: (.*)\n\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return { event: m[1]!, data: m[2]! };
        }
        const { value, done } = await reader.read();
        if (done) return 'closed';
        buffer += decoder.decode(value, { stream: true });
      }
    };
  }

  it('ends a live stream when its key is revoked, with an end event naming why', async () => {
    const k = await mk({});
    const next = await live(k.key);
    expect(await next()).toMatchObject({ event: 'ready' });
    await request(`${server.url}/v1/events`, { key: server.adminKey, body: [{ agent_id: 'before-revoke', timestamp: Date.now() }] });
    expect(await next()).toMatchObject({ event: 'span', data: expect.stringContaining('"agent_id":"before-revoke"') });
    expect((await request(`${server.url}/api/keys/${k.id}`, { method: 'DELETE', key: server.adminKey })).status).toBe(200);
    // Spans committed after the revocation never reach it: the next thing it sees is the end.
    await request(`${server.url}/v1/events`, { key: server.adminKey, body: [{ agent_id: 'after-revoke', timestamp: Date.now() }] });
    expect(await next()).toEqual({ event: 'end', data: JSON.stringify({ reason: 'API key has been revoked' }) });
    expect(await next()).toBe('closed');
  });

  it('ends a live stream when its key expires', async () => {
    const k = await mk({ expires_at: Date.now() + 1_500 });
    const next = await live(k.key);
    expect(await next()).toMatchObject({ event: 'ready' });
    expect(await next()).toEqual({ event: 'end', data: JSON.stringify({ reason: 'API key has expired' }) });
    expect(await next()).toBe('closed');
  });
});
