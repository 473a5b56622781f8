// Admission of raw-span reads on a real Hono app: reads past the running limit wait their turn,
// past the queue limit get 429, and after waiting too long 503 — both with Retry-After.

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './context.js';
import { limitScans } from './scan-limit.js';

/** An app whose read holds its turn until the test opens the gate. */
function appWithGate(limits: Parameters<typeof limitScans>[0]) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const started: number[] = [];
  const app = new Hono<AppEnv>();
  app.get('/api/traces', limitScans(limits), async (c) => {
    started.push(started.length);
    await gate;
    return c.json({ ok: true });
  });
  return { app, open, started };
}

describe('limitScans', () => {
  it('runs reads up to the limit, queues the next, refuses past the queue with 429 and Retry-After', async () => {
    const { app, open, started } = appWithGate({ maxConcurrentScans: 1, maxQueuedScans: 1, maxScanWaitMs: 60_000 });
    const first = app.request('/api/traces');
    const queued = app.request('/api/traces');
    const refused = await app.request('/api/traces');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      'too many trace, export and insight reads at once (1 running, 1 waiting; limits.maxConcurrentScans 1, limits.maxQueuedScans 1); retry shortly',
    );
    expect(started).toEqual([0]);
    open();
    expect([(await first).status, (await queued).status]).toEqual([200, 200]);
    expect(started).toEqual([0, 1]);
    // Every turn was given back: two more run at once without waiting.
    expect((await Promise.all([app.request('/api/traces'), app.request('/api/traces')])).map((r) => r.status)).toEqual([200, 200]);
  });

  it('answers 503 with Retry-After to a read that waited maxScanWaitMs, and lets later reads in', async () => {
    const { app, open } = appWithGate({ maxConcurrentScans: 1, maxQueuedScans: 4, maxScanWaitMs: 20 });
    const first = app.request('/api/traces');
    const waited = await app.request('/api/traces');
    expect(waited.status).toBe(503);
    expect(waited.headers.get('retry-after')).toBe('1');
    expect(((await waited.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    open();
    expect((await first).status).toBe(200);
    expect((await app.request('/api/traces')).status).toBe(200);
  });
});
