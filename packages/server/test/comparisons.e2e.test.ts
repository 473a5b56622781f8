// "Change" and rates through HTTP with the server's clock injected: a range whose last hour is
// still running compares spend per covered time (65 minutes of data against 65 minutes' worth of
// the hours before, not against two full hours), and a range that reaches back before the first
// data divides by the time that has data and says there is no previous period.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { request } from './support/http.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2025, 5, 2, 8, 0);
const NOW = T0 + 3 * HOUR + 5 * MIN; // 11:05: the hour 11:00–12:00 has 5 minutes so far
const ADMIN = 'sl_admin_comparisons_e2e_0123456789ab';
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** One trace a minute from 08:00 to 11:05, each a decision `search` and an LLM call costing $0.01. */
function events() {
  const out: Record<string, unknown>[] = [];
  for (let m = 0, n = 0; T0 + m * MIN < NOW; m++, n++) {
    const t = T0 + m * MIN;
    const trace = hex(n + 1, 32);
    out.push(
      { trace_id: trace, span_id: hex(n * 4 + 1, 16), agent_id: 'a1', span_type: 'agent_step', name: 'handle', timestamp: t, latency_ms: 900 },
      { trace_id: trace, span_id: hex(n * 4 + 2, 16), parent_span_id: hex(n * 4 + 1, 16), agent_id: 'a1', span_type: 'llm_call', model: 'm1', timestamp: t + 10, latency_ms: 500, tokens_input: 100, tokens_output: 20, cost_usd: 0.01 },
      { trace_id: trace, span_id: hex(n * 4 + 3, 16), parent_span_id: hex(n * 4 + 1, 16), agent_id: 'a1', span_type: 'decision', decision_made: 'search', timestamp: t + 600, latency_ms: 5 },
    );
  }
  return out;
}

describe('comparisons over covered time', () => {
  let dir: string;
  let sightline: RunningSightline;
  const get = async (path: string) => {
    const r = await request(`${sightline.url}${path}`, { key: ADMIN });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-comparisons-e2e-'));
    const config = loadConfig({ flags: { port: 0, data: dir, adminKey: ADMIN, alerts: { intervalMs: HOUR } } });
    sightline = await startSightline(config, { clock: () => NOW, log: () => undefined });
    const all = events();
    expect((await request(`${sightline.url}/v1/events`, { key: ADMIN, body: all })).body.accepted).toBe(all.length);
  }, 60_000);
  afterAll(async () => {
    await sightline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compares a path\'s spend per covered hour when the last hour is still running', async () => {
    // The last two hours, widened to whole hours: 09:00–12:00 scanned, of which 2 h 05 min
    // happened; the three hours before hold data only from 08:00.
    const r = await get(`/api/insights/paths?from=${NOW - 2 * HOUR}&to=${NOW}`);
    expect([r.from, r.to, r.previous]).toEqual([T0 + HOUR, T0 + 4 * HOUR, { from: T0 - 2 * HOUR, to: T0 + HOUR }]);
    expect([r.covered, r.previous_covered]).toEqual([{ from: T0 + HOUR, to: NOW }, { from: T0, to: T0 + HOUR }]);
    const search = r.paths.find((p: { path: string }) => p.path === 'search');
    expect([search.traces, search.cost_usd, search.previous_cost_usd].map((x: number) => Number(x.toFixed(9)))).toEqual([125, 1.25, 0.6]);
    // Same traffic all along: no change, where comparing the totals would read +108%.
    expect(search.cost_change).toBeCloseTo(0, 9);
  });

  it('says there is no previous period when the data began inside the range', async () => {
    const r = await get(`/api/insights/paths?from=${NOW - 7 * 24 * HOUR}&to=${NOW}`);
    expect([r.covered, r.previous_covered]).toEqual([{ from: T0, to: NOW }, null]);
    expect(r.paths.map((p: { path: string; cost_change: number | null }) => [p.path, p.cost_change])).toEqual([['search', null]]);
  });

  it('gives the overview\'s rates over covered time: a 7-day view of 3 h 05 min of data', async () => {
    const o = await get(`/api/overview?range=7d`);
    expect([o.covered, o.previous_covered]).toEqual([{ from: T0, to: NOW }, null]);
    expect(o.current.spans).toBe(185 * 3);
    expect(o.current.spans_per_min).toBeCloseTo(3, 12);
    expect(o.current.cost_per_hour).toBeCloseTo(0.6, 12);
    expect(o.change.cost_per_hour).toBeNull();
    // The last hour against the hour before: equal traffic, no change.
    const h = await get(`/api/overview?range=1h`);
    expect([h.covered, h.previous_covered]).toEqual([{ from: NOW - HOUR, to: NOW }, { from: NOW - 2 * HOUR, to: NOW - HOUR }]);
    expect(h.change.spans).toBe(0);
    expect(h.change.cost_per_hour).toBeCloseTo(0, 9);
  });
});
