// Hostile native bodies against the real server (issue 24, item 1): bodies over 1 MiB are decoded
// and validated in the decode worker, so /api/health answers while 8 MB bodies of events with
// 8 KiB attribute keys are checked; the answer names each problem, clipped, and keeps the valid
// events; past a thousand problems the list says how many it left out.

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop({ remove: true });
});

interface Answer {
  status: number;
  body: string;
}

/** POSTs JSON; `sent` resolves once the whole body has been handed to the socket. */
function post(body: Buffer): { sent: Promise<void>; answer: Promise<Answer> } {
  const url = new URL('/v1/events', server.url);
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    const headers = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json', 'content-length': body.length };
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body, markSent);
  });
  return { sent, answer };
}

const NOW = Date.now();
const KEY = 'k'.repeat(8_192);
/** Rejected: the attribute path (8,205 characters) is named in the problem. */
const hostile = { agent_id: 'hostile', timestamp: NOW, attributes: { a: { [KEY]: { b: { c: { d: 1 } } } } } };
const clippedField = `attributes.a.${'k'.repeat(83)}…(8211 characters)…${'k'.repeat(122)}.b.c.d`;

describe('hostile native bodies', () => {
  it('health answers while three 8 MB bodies of invalid events are validated: before any of them is answered', async () => {
    const body = Buffer.from(JSON.stringify(Array.from({ length: 1_000 }, () => hostile)));
    expect(body.length).toBeGreaterThan(8_000_000);
    const posts = [0, 1, 2].map(() => post(body));
    await Promise.race(posts.map((p) => p.sent));
    const order: string[] = [];
    const mark = <T>(name: string, p: Promise<T>) => p.then((v) => (order.push(name), v));
    const answers = Promise.all(posts.map((p, i) => mark(`body ${i}`, p.answer)));
    expect((await mark('health', request(`${server.url}/api/health`))).status).toBe(200);
    for (const reply of await answers) {
      expect(reply.status).toBe(400);
      const parsed = JSON.parse(reply.body) as { accepted: number; rejected: { index: number; field: string; error: string }[]; rejected_events: number };
      expect([parsed.accepted, parsed.rejected_events, parsed.rejected.length]).toEqual([0, 1_000, 1_000]);
      expect(parsed.rejected.map((p) => p.index)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
      expect(new Set(parsed.rejected.map((p) => p.field))).toEqual(new Set([clippedField]));
    }
    // Validated inline, the first body would have held health back until it was answered.
    expect(order[0]).toBe('health');
  });

  it('keeps the valid event of a large body and names every invalid one, clipped', async () => {
    const body = Buffer.from(JSON.stringify([{ agent_id: 'hostile-ok', trace_id: 'hostile-t', timestamp: NOW }, ...Array.from({ length: 999 }, () => hostile)]));
    const reply = await post(body).answer;
    expect(reply.status).toBe(200);
    const parsed = JSON.parse(reply.body) as { accepted: number; rejected: { index: number; field: string; error: string }[]; rejected_events: number };
    expect([parsed.accepted, parsed.rejected_events, parsed.rejected.length]).toEqual([1, 999, 999]);
    expect(parsed.rejected[0]).toEqual({ index: 1, field: clippedField, error: parsed.rejected[0]!.error });
    expect(parsed.rejected[0]!.error).toMatch(/^attributes\.a\.k{83}…\(\d+ characters\)…k+\.b\.c\.d: nesting depth 5 exceeds the limit of 4$/);
    const trace = await request(`${server.url}/api/traces/hostile-t`, { key: server.adminKey });
    expect([trace.status, trace.body.spans.map((s: { agent_id: string }) => s.agent_id)]).toEqual([200, ['hostile-ok']]);
  });

  it('lists a thousand problems and says how many more there were', async () => {
    // Two problems each: 2,002 in all; every rejected event is still counted.
    const events = Array.from({ length: 1_001 }, () => ({ agent_id: 'two-problems', timestamp: NOW, confidence: 2, tokens_input: -1 }));
    const reply = await request(`${server.url}/v1/events`, { key: server.adminKey, body: events });
    expect(reply.status).toBe(400);
    expect([reply.body.accepted, reply.body.rejected_events, reply.body.rejected.length]).toEqual([0, 1_001, 1_000]);
    expect(reply.body.rejected.slice(0, 2)).toEqual([
      { index: 0, field: 'tokens_input', error: 'tokens_input: must be a non-negative integer, got -1' },
      { index: 0, field: 'confidence', error: 'confidence: 2 is outside 0..1' },
    ]);
    expect(reply.body.rejected_note).toBe('the first 1000 of 2002 problems are listed');
  });
});
