// HTTP edges an attacker or a sloppy client finds: API (admin) bodies are bounded and refused
// before they are read, an over-limit chunked upload does not poison its keep-alive connection,
// and every answer carries X-Content-Type-Options: nosniff.

import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

interface Upload {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Body bytes written when the answer arrived. */
  sent: number;
}

/**
 * POSTs `total` bytes chunked (no Content-Length), 64 KiB at a time, and stops writing as soon
 * as the server answers. The chunks are a JSON string's inside, so any prefix is what a client
 * could send.
 */
function uploadChunked(url: string, key: string, total: number, agent: Agent): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(url, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sent }));
      res.on('error', reject);
    });
    // The server closes the connection after its 413: writes still in flight then fail, as expected.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(65_536, 'x');
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.write('{"matchers":"');
    pump();
  });
}

function get(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('HTTP hygiene', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('refuses a 300 MB API body at its declared length, before reading it', async () => {
    const res = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/alerts/silences`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json', 'content-length': String(300 * 1_048_576) },
      }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body, connection: r.headers.connection }));
      });
      req.on('error', reject);
      // Only the headers go out: the answer must come without a byte of the body.
      req.flushHeaders();
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'payload_too_large', message: 'request body exceeds the limit of 1048576 bytes for API calls' } });
    expect(res.connection).toBe('close');
  });

  it('refuses a chunked 300 MB API body once it passes 1 MiB, without reading the rest', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const res = await uploadChunked(`${server.url}/api/alerts/silences`, server.adminKey, 300 * 1_048_576, agent);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error.code).toBe('payload_too_large');
      // Answered after the limit, long before the end (socket buffers hold a few MB at most).
      expect(res.sent).toBeGreaterThan(1_048_576);
      expect(res.sent).toBeLessThan(64 * 1_048_576);
    } finally {
      agent.destroy();
    }
  });

  it.each([
    ['/api/alerts/silences', 32, 'request body exceeds the limit of 1048576 bytes for API calls'],
    ['/v1/events', 264, 'request body exceeds the limit of 16777216 bytes'],
  ])('lets a client that reads late, still writing its upload to %s, read its 413 instead of a reset', async (path, chunks, message) => {
    // A busy client reads its answer late while its upload is still going out. The connection must
    // stay open while it sends (the server dropping what arrives), not be reset after the HTTP
    // server's short drain of an unread body: a reset loses the answer (CI saw EPIPE here).
    const { hostname: host, port } = new URL(server.url);
    const socket = connect({ host, port: Number(port) });
    const errors: string[] = [];
    socket.on('error', (err) => errors.push(err.message));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    const chunk = Buffer.alloc(65_536, 'x');
    const sendChunk = () => socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${server.adminKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    for (let i = 0; i < chunks; i++) sendChunk(); // past the route's limit, so the 413 is on its way
    // Go on sending for 1.5 s (three times @hono/node-server's 500 ms drain) without reading; stop
    // early if this machine is so busy that a gap between writes nears the 2 s the server waits.
    const started = performance.now();
    let last = started;
    while (performance.now() - started < 1_500) {
      await new Promise((r) => setTimeout(r, 50));
      const now = performance.now();
      if (now - last > 1_000) break;
      last = now;
      sendChunk();
    }
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.resume();
    await closed;
    expect(errors).toEqual([]);
    expect(received.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'payload_too_large', message },
    });
  });

  it('answers the next request promptly after a chunked ingest upload over the limit got 413', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = await uploadChunked(`${server.url}/v1/events`, server.adminKey, 17 * 1_048_576, agent);
      expect(big.status).toBe(413);
      expect(big.headers.connection).toBe('close');
      expect(JSON.parse(big.body)).toEqual({ error: { code: 'payload_too_large', message: 'request body exceeds the limit of 16777216 bytes' } });
      // The same agent, one socket: the refused upload's connection is closed, the next goes on a new one.
      expect(await get(`${server.url}/api/health`, agent)).toEqual({ status: 200, body: '{"status":"ok"}' });
    } finally {
      agent.destroy();
    }
  });

  it('marks every answer nosniff: JSON, errors, metrics and the dashboard', async () => {
    for (const [path, status] of [['/api/health', 200], ['/api/overview', 401], ['/api/no-such-route', 404], ['/v1/events', 404], ['/', 200]] as const) {
      const r = await request(`${server.url}${path}`);
      expect({ path, status: r.status, nosniff: r.headers.get('x-content-type-options') }).toEqual({ path, status, nosniff: 'nosniff' });
    }
    const ok = await request(`${server.url}/api/overview?range=1h`, { key: server.adminKey });
    expect([ok.status, ok.headers.get('content-type'), ok.headers.get('x-content-type-options')]).toEqual([200, 'application/json', 'nosniff']);
  });
});
