// An in-memory Transport that accepts everything and keeps the decoded events, for client tests.

import { gunzipSync } from 'node:zlib';
import type { SpanEvent } from '../../src/event.js';
import type { Transport } from '../../src/transport.js';

export function memoryTransport(): Transport & { events: SpanEvent[] } {
  const events: SpanEvent[] = [];
  return {
    events,
    send(b) {
      const body = b.gzipped ? gunzipSync(b.body) : b.body;
      const batch = JSON.parse(body.toString('utf8')) as SpanEvent[];
      events.push(...batch);
      return Promise.resolve({ status: 'ok', accepted: batch.length, rejected: [] });
    },
  };
}
