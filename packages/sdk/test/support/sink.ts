// A tiny node:http peer standing in for a faulty network: it answers each request with the next
// scripted reply (status, headers, body, delay) and records the events it was sent.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this long (a slow server). */
  delayMs?: number;
  /** Drop the connection without answering. */
  hangUp?: boolean;
}

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  events: Record<string, unknown>[];
  at: number;
}

export interface Sink {
  url: string;
  requests: ReceivedRequest[];
  /** Events from requests answered 2xx. */
  accepted(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** `script` replies are used in order; after they run out every request gets `fallback`. */
export async function startSink(script: Reply[] = [], fallback: Reply = { status: 200 }, port = 0): Promise<Sink> {
  const requests: ReceivedRequest[] = [];
  const okEvents: Record<string, unknown>[] = [];
  const queue = [...script];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const events = JSON.parse(raw.toString('utf8')) as Record<string, unknown>[];
      requests.push({ headers: req.headers, events, at: Date.now() });
      const reply = queue.shift() ?? fallback;
      const answer = () => {
        if (reply.hangUp) {
          req.socket.destroy();
          return;
        }
        if (reply.status >= 200 && reply.status < 300) okEvents.push(...events);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body ?? (reply.status < 300 ? JSON.stringify({ accepted: events.length, rejected: [] }) : JSON.stringify({ error: { message: `status ${reply.status}` } })));
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    accepted: () => okEvents,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
