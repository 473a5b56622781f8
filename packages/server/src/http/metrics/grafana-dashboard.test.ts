// The shipped Grafana dashboard (docs/grafana-dashboard.json): every query parses as PromQL
// (checked by promtool) and names only metrics that /metrics exposes.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSightlineMetrics } from './sightline-metrics.js';

const DASHBOARD = new URL('../../../../../docs/grafana-dashboard.json', import.meta.url);

interface Panel {
  targets?: { expr: string }[];
}

function expressions(): string[] {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  return dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

/** Grafana's variables replaced by values Prometheus accepts. */
const concrete = (expr: string) =>
  expr.replace(/\$__rate_interval/g, '1m').replace(/\$__range/g, '1h').replace(/\$(project|agent|model)/g, '.*');

describe('Grafana dashboard', () => {
  it('holds only valid PromQL (promtool check rules)', () => {
    const exprs = expressions();
    expect(exprs.length).toBe(27);
    const dir = mkdtempSync(join(tmpdir(), 'sightline-grafana-'));
    try {
      const rules = ['groups:', '  - name: dashboard', '    rules:', ...exprs.map((e, i) => `      - record: dashboard:expr${i}\n        expr: ${JSON.stringify(concrete(e))}`)];
      writeFileSync(join(dir, 'rules.yml'), `${rules.join('\n')}\n`);
      const check = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
      expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names only metrics that /metrics exposes', async () => {
    const metrics = createSightlineMetrics({ maxSeries: 10, decisionLabel: false }, { queuedSpans: () => 0, liveClients: () => 0, storeStats: async () => ({ spans: 0, bytes: 0 }) });
    const exposed = new Set((await metrics.render(null)).split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    const used = new Set(expressions().flatMap((e) => [...e.matchAll(/\b((?:sightline|gen_ai)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''))));
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
