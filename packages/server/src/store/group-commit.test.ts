// Group commit against a real DuckDB store, with the queue's clock injected: batches are refused
// once the queue is full, its oldest request has waited too long, or it holds more than the store
// commits in that time; and accepted again once the store has caught up.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbStore } from './duckdb/duckdb-store.js';
import { createGroupCommit } from './group-commit.js';
import { makeSpan } from './store.case.js';
import type { Store } from './store.js';

const spans = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => makeSpan({ span_id: `${prefix}-${i}`, trace_id: `${prefix}-t` }));

describe('group commit bounds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-group-commit-'));
  let store: Store;
  beforeAll(async () => {
    store = await createDuckDbStore({ path: join(dir, 'sightline.duckdb') });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses new work while the oldest queued request has waited past maxQueueDelayMs', async () => {
    let now = 0;
    // maxDelayMs keeps the first batch queued while the test moves the clock.
    const commits = createGroupCommit(store, { maxBatchSpans: 1_000, maxDelayMs: 100, maxQueuedSpans: 10_000, maxQueueDelayMs: 2_000, clock: () => now });
    const first = commits.submit(spans('a', 10));
    now = 2_000;
    expect(commits.overloaded()).toBe(null);
    const second = commits.submit(spans('b', 10));
    now = 2_001;
    const refusal = {
      status: 'retryable',
      reason: 'overloaded',
      retryAfterMs: 1_000,
      message: 'ingest is behind: new spans would wait 2001 ms for the store (limit 2000 ms); retry later',
    };
    expect(commits.overloaded()).toEqual(refusal);
    expect(await commits.submit(spans('c', 10))).toEqual(refusal);
    expect(await first).toEqual({ status: 'ok' });
    expect(await second).toEqual({ status: 'ok' });
    // Caught up: the queue is empty, so nothing has waited.
    expect(commits.overloaded()).toBe(null);
    expect(await commits.submit(spans('d', 10))).toEqual({ status: 'ok' });
    expect((await store.stats()).spans).toBe(30);
  });

  it('refuses new work while the queue holds more than the store commits within maxQueueDelayMs', async () => {
    let now = 0;
    // maxDelayMs 0: each commit starts inside submit, so the clock set between calls times it.
    const commits = createGroupCommit(store, { maxBatchSpans: 20, maxDelayMs: 0, maxQueuedSpans: 10_000, maxQueueDelayMs: 1_000, clock: () => now });
    const measured = commits.submit(spans('h', 20));
    now = 100;
    expect(await measured).toEqual({ status: 'ok' }); // a full batch in 100 ms: 0.2 spans per ms
    const committing = commits.submit(spans('i', 20));
    expect(commits.overloaded()).toBe(null);
    const queued = commits.submit(spans('j', 181));
    const refusal = {
      status: 'retryable',
      reason: 'overloaded',
      retryAfterMs: 1_000,
      message: 'ingest is behind: new spans would wait 1005 ms for the store (limit 1000 ms); retry later',
    };
    expect(commits.overloaded()).toEqual(refusal);
    expect(await commits.submit(spans('k', 1))).toEqual(refusal);
    expect(await committing).toEqual({ status: 'ok' });
    expect(await queued).toEqual({ status: 'ok' });
    expect(commits.overloaded()).toBe(null);
  });

  it('hands the next batch to the store while the previous one commits, and batches the rest behind them', async () => {
    const committed: string[][] = [];
    const commits = createGroupCommit(store, {
      maxBatchSpans: 1_000,
      maxDelayMs: 0,
      maxQueuedSpans: 10_000,
      onCommit: (batch) => committed.push([...new Set(batch.map((s) => s.trace_id))]),
    });
    const answers = ['p', 'q', 'r', 's'].map((prefix) => commits.submit(spans(prefix, 10)));
    // p and q are both with the store before either is answered; r and s wait for a free slot.
    expect(commits.queued()).toBe(40);
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 4 }, () => ({ status: 'ok' })));
    expect(committed).toEqual([['p-t'], ['q-t'], ['r-t', 's-t']]);
    await commits.drain();
    expect(commits.queued()).toBe(0);
    const stored = await Promise.all(['p-t', 'q-t', 'r-t', 's-t'].map((t) => store.getTrace('alpha', t)));
    expect(stored.map((t) => t.length)).toEqual([10, 10, 10, 10]);
  });

  it('refuses a batch that does not fit in maxQueuedSpans, and at the door once the queue is full', async () => {
    const commits = createGroupCommit(store, { maxBatchSpans: 1_000, maxDelayMs: 100, maxQueuedSpans: 50 });
    const first = commits.submit(spans('e', 30));
    expect(await commits.submit(spans('f', 30))).toEqual({
      status: 'retryable',
      reason: 'overloaded',
      retryAfterMs: 1_000,
      message: 'ingest queue is full (30 spans waiting, limit 50); retry later',
    });
    expect(commits.overloaded()).toBe(null);
    const second = commits.submit(spans('g', 20));
    expect(commits.overloaded()?.message).toBe('ingest queue is full (50 spans waiting, limit 50); retry later');
    expect(await first).toEqual({ status: 'ok' });
    expect(await second).toEqual({ status: 'ok' });
    expect(commits.overloaded()).toBe(null);
  });

  it('answers ok for a committed batch even when a step after the commit (live tail, metrics) throws', async () => {
    const thrown: unknown[] = [];
    const commits = createGroupCommit(store, {
      maxBatchSpans: 1_000,
      maxDelayMs: 0,
      maxQueuedSpans: 10_000,
      onCommit: () => {
        throw new Error('live tail subscriber failed');
      },
      onAfterCommitError: (err) => thrown.push(err),
    });
    expect(await commits.submit(spans('after', 3))).toEqual({ status: 'ok' });
    expect(thrown.map((e) => (e as Error).message)).toEqual(['live tail subscriber failed']);
    expect((await store.getTrace('alpha', 'after-t')).map((s) => s.span_id)).toEqual(['after-0', 'after-1', 'after-2']);
  });

  it('counts the time a request already spent in the server against maxQueueDelayMs', async () => {
    let now = 0;
    const commits = createGroupCommit(store, { maxBatchSpans: 1_000, maxDelayMs: 100, maxQueuedSpans: 10_000, maxQueueDelayMs: 2_000, clock: () => now });
    const first = commits.submit(spans('m', 10));
    now = 1_500;
    // Queued for 1,500 ms: a request that spent 400 ms reading its body still fits, one that spent 600 ms does not.
    const fits = commits.submit(spans('n', 10), undefined, 400);
    expect(await commits.submit(spans('o', 10), undefined, 600)).toEqual({
      status: 'retryable',
      reason: 'overloaded',
      retryAfterMs: 1_000,
      message: 'ingest is behind: new spans would wait 2100 ms for the store (600 ms of it already spent in the server) (limit 2000 ms); retry later',
    });
    expect([await first, await fits]).toEqual([{ status: 'ok' }, { status: 'ok' }]);
  });
});
