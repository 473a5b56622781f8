// API key lifecycle over HTTP: a key with an expiry works until it passes, then answers 401
// "expired" at once (the lookup cache does not extend it); a revoked key answers 401 "revoked"
// on its next request.

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
    const expired = await mk({ expires_at: Date.now() - 1 });
    expect(await overview(expired.key)).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated', message: 'API key has expired' } } });

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

  it('rejects an expiry that is not epoch milliseconds', async () => {
    const r = await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes: ['read'], expires_at: '2030-01-01' } });
    expect(r).toMatchObject({ status: 400, body: { error: { message: 'expires_at: must be epoch milliseconds' } } });
  });
});
