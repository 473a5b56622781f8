// Every route the app registers, enumerated from the app itself (a new route cannot be missed):
// 401 without a key, 403 with the wrong scope, and a key of project B never sees project A's
// data — traces, series, insights, alerts, export, status, metrics, live tail.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { request } from './support/http.js';

const ADMIN = 'sl_admin_isolation_0123456789abcdef';
const NOW = Date.now();
const SECRET_AGENT = 'secret-agent-of-project-a';
const SECRET_TRACE = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0';
/** Routes anyone may call: liveness and readiness (probes carry no key) and the dashboard's static files. */
const PUBLIC = new Set(['GET /api/health', 'GET /api/ready', 'GET /*', 'HEAD /*']);

describe('auth and project isolation on every route', () => {
  let s: RunningSightline;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    s = await startSightline(loadConfig({ flags: { port: 0, data: mkdtempSync(join(tmpdir(), 'sightline-iso-')), adminKey: ADMIN } }), { log: () => undefined });
    const mk = async (project: string, scopes: string[]) =>
      (await request(`${s.url}/api/keys`, { key: ADMIN, body: { project, scopes } })).body.key as string;
    keys.aIngest = await mk('team-a', ['ingest']);
    keys.aRead = await mk('team-a', ['read']);
    keys.bRead = await mk('team-b', ['read']);
    keys.bAdmin = await mk('team-b', ['admin']);
    const events = Array.from({ length: 30 }, (_, i) => ({
      agent_id: SECRET_AGENT,
      trace_id: i === 0 ? SECRET_TRACE : `${String(i).padStart(32, 'a')}`,
      timestamp: NOW - i * 60_000,
      span_type: 'decision',
      decision_made: 'secret-decision-of-a',
      attributes: { input_category: 'secret-category-of-a' },
      ...(i % 3 === 0 && { error: { type: 'SecretError', message: 'secret message of a' } }),
    }));
    expect((await request(`${s.url}/v1/events`, { key: keys.aIngest, body: events })).body.accepted).toBe(30);
  });
  afterAll(async () => {
    await s?.stop();
  });

  const url = (path: string) =>
    `${s.url}${path.replace(':id', SECRET_TRACE).replace('/*', '/')}?range=24h&key=input_category&format=ndjson`;
  const call = (method: string, path: string, key?: string) =>
    request(url(path), { method, ...(key !== undefined && { key }), ...(method !== 'GET' && method !== 'DELETE' && { body: {} }) });

  it('enumerates the routes from the app', () => {
    expect(s.routes.length).toBeGreaterThan(30);
    expect(s.routes).toContainEqual({ method: 'POST', path: '/v1/events' });
    expect(s.routes).toContainEqual({ method: 'GET', path: '/api/export' });
  });

  it('answers 401 without a key on every non-public route', async () => {
    for (const r of s.routes) {
      if (PUBLIC.has(`${r.method} ${r.path}`)) continue;
      const res = await call(r.method, r.path);
      expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({ route: `${r.method} ${r.path}`, status: 401 });
    }
  });

  it('answers 403 to an ingest key off the ingest routes and to a read key on them', async () => {
    for (const r of s.routes) {
      const id = `${r.method} ${r.path}`;
      if (PUBLIC.has(id)) continue;
      const ingestRoute = r.path.startsWith('/v1/') || r.path === '/api/import';
      const res = await call(r.method, r.path, ingestRoute ? keys.bRead : keys.aIngest);
      expect({ route: id, status: res.status }).toEqual({ route: id, status: 403 });
    }
  });

  it("never shows project A's data to project B's read or admin key", async () => {
    const leaks: string[] = [];
    for (const key of [keys.bRead!, keys.bAdmin!]) {
      for (const r of s.routes) {
        if (r.method !== 'GET' || PUBLIC.has(`${r.method} ${r.path}`) || r.path === '/api/live') continue;
        const res = await call('GET', r.path, key);
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        // The requested trace id may be echoed in a 404; A's data is what must never appear.
        if (/secret-|secret message/.test(text)) leaks.push(`${r.path} (${res.status}): ${text.slice(0, 200)}`);
      }
    }
    expect(leaks).toEqual([]);
    // Sanity: the same probe does see A's data with A's key, so the check above can fail.
    const own = await call('GET', '/api/traces/:id', keys.aRead);
    expect(JSON.stringify(own.body)).toContain(SECRET_AGENT);
  });

  it("keeps project A's spans out of project B's live tail", async () => {
    const controller = new AbortController();
    const res = await fetch(`${s.url}/api/live`, { headers: { authorization: `Bearer ${keys.bRead}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    let text = '';
    const bIngest = (await request(`${s.url}/api/keys`, { key: ADMIN, body: { project: 'team-b', scopes: ['ingest'] } })).body.key as string;
    while (!text.includes('event: ready')) text += new TextDecoder().decode((await reader.read()).value);
    await request(`${s.url}/v1/events`, { key: keys.aIngest, body: { agent_id: SECRET_AGENT, timestamp: Date.now() } });
    await request(`${s.url}/v1/events`, { key: bIngest, body: { agent_id: 'b-marker', timestamp: Date.now() } });
    while (!text.includes('b-marker')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).not.toContain(SECRET_AGENT);
  });
});
