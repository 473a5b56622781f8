// The door's early answers on a real HTTP server: a refused request is answered 429 before its
// body is uploaded, with `Connection: close`, and the connection then closes cleanly once the
// client has sent the rest (no reset that could destroy the answer); and a request whose answer is
// predicted — from its Content-Length and the measured pace — to come after half of
// maxQueueDelayMs is refused at the door, while a smaller one is let in; the pace counts answered
// batches only and is forgotten when stale.

import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEnv } from './context.js';
import { shedWhenOverloaded, type ShedOptions } from './shed-load.js';

/** A group commit that is never behind: only the door's own rules refuse. */
const idleCommits = { overloaded: () => null };

let server: Server | null = null;
const gates: (() => void)[] = [];

afterEach(() => {
  gates.splice(0);
  server?.close();
  server?.closeAllConnections();
  server = null;
});

/** An app whose /v1/events reads the body, then holds the request until the test lets it go. */
async function start(options: ShedOptions): Promise<string> {
  const app = new Hono<AppEnv>();
  app.use('/v1/*', shedWhenOverloaded(idleCommits, options));
  app.post('/v1/events', async (c) => {
    const body = await c.req.text();
    await new Promise<void>((resolve) => gates.push(resolve));
    return c.json({ bytes: body.length });
  });
  server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`;
}

const connections = () => new Promise<number>((resolve, reject) => server!.getConnections((err, n) => (err ? reject(err) : resolve(n))));

const held = async (n: number) => {
  while (gates.length < n) await new Promise((r) => setImmediate(r));
};

const post = (url: string, bytes: number) => fetch(url, { method: 'POST', body: 'x'.repeat(bytes) });

describe('shedWhenOverloaded, early answers', () => {
  it('answers 429 before the body is uploaded, says Connection: close, and closes cleanly after the client sent the rest', async () => {
    const url = new URL(await start({ maxBytesInFlight: 100 }));
    const first = post(url.href, 150);
    await held(1);
    // A client that keeps uploading after the server ended its side (Python's http.client sends the
    // whole body before it reads the answer).
    const socket = net.connect({ port: Number(url.port), host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    const events: string[] = [];
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => events.push(`error ${err.code}`));
    const ended = new Promise<void>((resolve) => socket.on('end', () => (events.push('end'), resolve())));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Headers and 10 of 1,000,000 declared bytes: the answer must not wait for the rest.
    socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n0123456789');
    while (!received.includes('"overloaded"')) await new Promise((r) => setImmediate(r));
    const [head, body] = received.split('\r\n\r\n');
    expect(head!.split('\r\n')[0]).toBe('HTTP/1.1 429 Too Many Requests');
    expect(head).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(head).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(body!)).toEqual({
      error: { code: 'overloaded', message: 'the server is decoding 1 ingest requests (0 MiB, limit 0 MiB: limits.maxIngestBytesInFlight); retry later' },
    });
    // The server ended its side after the answer, and still reads: the whole upload goes through,
    // then the server closes its connection (only the held request's stays), without a reset.
    await ended;
    const rest = Buffer.alloc(1_000_000 - 10, 0x20);
    await new Promise<void>((resolve, reject) => socket.write(rest, (err) => (err ? reject(err) : resolve())));
    while ((await connections()) > 1) await new Promise((r) => setImmediate(r));
    socket.end();
    await closed;
    expect(events).toEqual(['end']);
    gates.shift()!();
    expect(await (await first).json()).toEqual({ bytes: 150 });
  });

  it('refuses a request whose answer is predicted past half of maxQueueDelayMs, from its Content-Length and the measured pace', async () => {
    let now = 0;
    const url = await start({ maxQueueDelayMs: 1_000, clock: () => now });
    // Measure the pace: 1,000 bytes worked off in 1,000 ms of work = 1 byte/ms.
    const measured = post(url, 1_000);
    await held(1);
    now = 1_000;
    gates.shift()!();
    expect((await measured).status).toBe(200);
    // Four requests of 25 bytes let in (below four, no prediction is made); 600 more bytes would be
    // answered in ~700 ms, past the 500 ms allowed.
    const small = [0, 1, 2, 3].map(() => post(url, 25));
    await held(4);
    const refused = await post(url, 600);
    expect([refused.status, refused.headers.get('retry-after'), refused.headers.get('connection')]).toEqual([429, '1', 'close']);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      'ingest is behind: 4 requests (1 KiB) are ahead of this one and the server works off 1 KiB/s, ' +
        'so it would be answered in about 0.7 s (limits.maxQueueDelayMs is 1000 ms); retry later',
    );
    // 300 bytes: ~400 ms, let in.
    const fits = post(url, 300);
    await held(5);
    // A pace not measured again for 10 s is forgotten: then the 600 bytes are let in too.
    now = 11_001;
    const late = post(url, 600);
    await held(6);
    for (const g of gates.splice(0)) g();
    expect(await Promise.all([...small, fits, late].map(async (r) => (await r).status))).toEqual([200, 200, 200, 200, 200, 200]);
  });
});
