// The score rule's read on a real DuckDB store: each score name is worded by its kind, which only
// its scores say (the rollup holds sums): a boolean as its share of yes, a number as its mean.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Score } from '../model/score.js';
import type { Span } from '../model/span.js';
import { makeScore } from '../store/score.case.js';
import { createDuckDbStore } from '../store/duckdb/duckdb-store.js';
import { makeSpan } from '../store/store-fixtures.case.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { scoreVerdicts } from './score-alerts.js';

const dir = mkdtempSync(join(tmpdir(), 'sightline-score-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MINUTE = 60_000;
const HOUR = 3_600_000;
const RULE = BUILTIN_RULES.find((r) => r.id === 'builtin.score_below_baseline')!;
const NOW = Date.UTC(2026, 2, 3, 12, 0);

it('words a boolean score as its share of yes and a number as its mean, from the same rollup', async () => {
  const store = await createDuckDbStore({ path: join(dir, 'kinds.duckdb') });
  try {
    const scores: Score[] = [];
    const spans: Span[] = [];
    // One trace of agent support a minute over the last 24.5 h, each with one score per name: thumbs 80% yes before the window, 40% in it;
    // helpfulness 0.7/0.9 by turns before, 0.4/0.6 in it.
    for (let t = NOW - 30 * MINUTE - 24 * HOUR, i = 0; t < NOW; t += MINUTE, i++) {
      const inWindow = t >= NOW - 30 * MINUTE;
      spans.push(makeSpan({ project: 'default', trace_id: `t-${i}`, span_id: 's', timestamp: t, agent_id: 'support' }));
      const yes = inWindow ? i % 5 < 2 : i % 5 < 4;
      scores.push(makeScore({ project: 'default', score_id: `th-${i}`, trace_id: `t-${i}`, timestamp: t, name: 'thumbs', kind: 'boolean', value: yes ? 1 : 0, source: 'user' }));
      const help = inWindow ? (i % 2 === 0 ? 0.4 : 0.6) : i % 2 === 0 ? 0.7 : 0.9;
      scores.push(makeScore({ project: 'default', score_id: `h-${i}`, trace_id: `t-${i}`, timestamp: t, name: 'helpfulness', value: help }));
    }
    await store.append(spans);
    await store.appendScores(scores);
    const verdicts = await scoreVerdicts(store, 'default', RULE, NOW, new Map());
    expect(verdicts.map((v) => [v.labels, v.verdict.breach, v.text]).sort((a, b) => String(a[2]).localeCompare(String(b[2])))).toEqual([
      [{ agent: 'support', score: 'helpfulness' }, true, 'helpfulness of agent support fell 0.80 → 0.50 (−38%) over the last 30 min (30 scores against 1,440 in the 24 h before; p<0.001)'],
      [{ agent: 'support', score: 'thumbs' }, true, 'thumbs of agent support fell 80.0% yes → 40.0% yes (−40 points) over the last 30 min (30 scores against 1,440 in the 24 h before; p<0.001)'],
    ]);
  } finally {
    await store.close();
  }
});
