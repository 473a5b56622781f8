// Detection quality of the "score below baseline" rule (src/alert/score-drop.ts), in simulated
// time, on the benchmark's standard: every injected quality incident found, at most one false
// alert per rule per simulated week. A DuckDB store holds a week (plus a day of warm-up) of
// traces and their scores: 5 agents × 2 score names (helpfulness in [0, 1], thumbs as booleans),
// 3 scores a minute per group, with daily seasonality of the mean and an hourly random walk of it
// (user mix, topics). Quality incidents lower one group's mean for 2 h. The alert engine itself
// (createAlertEngine, the other built-ins switched off) ticks every 5 simulated minutes, so the
// rule is judged, stepped and counted exactly as a server does it; episodes are its firing transitions.
// Run: npx tsx packages/server/bench/score-drop-bench.ts  (also run by npm run bench:alerts)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_RULES } from '../src/alert/builtin-rules.js';
import { alertsConfigSchema } from '../src/alert/config.js';
import { createAlertEngine } from '../src/alert/engine.js';
import { overrideRule, type AlertRule } from '../src/alert/rule.js';
import { SCORE_LABEL } from '../src/alert/score-drop.js';
import type { Score } from '../src/model/score.js';
import type { Span } from '../src/model/span.js';
import { Rng } from '../src/sim/random.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { Store } from '../src/store/store.js';
import { table } from './support.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 6);
const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const STEP = 5 * MINUTE;
const PER_MINUTE = 3;
const AGENTS = ['support', 'billing', 'search', 'triage', 'refunds'];

interface QualityIncident {
  agent: string;
  name: 'helpfulness' | 'thumbs';
  start: number;
  durationMs: number;
  /** How much the mean falls (helpfulness in score units, thumbs in probability). */
  drop: number;
}

/**
 * Sizes from the rule's documented minimum (0.75 of the score's spread: helpfulness sd ≈ 0.18
 * after clipping to [0, 1], thumbs sd ≈ 0.38) to about 1.5 of it.
 */
export function incidents(): QualityIncident[] {
  const at = (day: number, hour: number) => START + DAY + day * DAY + hour * HOUR;
  return [
    { agent: 'support', name: 'helpfulness', start: at(1, 10), durationMs: 2 * HOUR, drop: 0.15 },
    { agent: 'billing', name: 'helpfulness', start: at(3, 3), durationMs: 2 * HOUR, drop: 0.3 },
    { agent: 'search', name: 'thumbs', start: at(4, 15), durationMs: 2 * HOUR, drop: 0.3 },
    { agent: 'refunds', name: 'thumbs', start: at(5, 21), durationMs: 2 * HOUR, drop: 0.5 },
  ];
}

/** One simulated day of traces and scores (`quiet`: no incident). */
export function simulateDay(day: number, rng: Rng, walk: Map<string, number>, quiet: boolean): { spans: Span[]; scores: Score[] } {
  const spans: Span[] = [];
  const scores: Score[] = [];
  const list = quiet ? [] : incidents();
  const from = START + day * DAY;
  for (let t = from; t < from + DAY; t += MINUTE) {
    if (t % HOUR === 0) for (const k of walk.keys()) walk.set(k, 0.8 * walk.get(k)! + rng.normal(0, 0.015));
    const season = Math.sin((2 * Math.PI * (t % DAY)) / DAY);
    AGENTS.forEach((agent, a) => {
      for (let i = 0; i < PER_MINUTE; i++) {
        const trace = `${agent}-${t}-${i}`;
        const at = t + i * 20_000;
        spans.push(span(trace, agent, at, i % 3 === 0 ? 'escalate' : 'answer'));
        const drop = (name: string) => list.find((x) => x.agent === agent && x.name === name && at >= x.start && at < x.start + x.durationMs)?.drop ?? 0;
        const helpMean = 0.72 + a * 0.03 + 0.03 * season + walk.get(`${agent}/helpfulness`)! - drop('helpfulness');
        const thumbsP = 0.82 + 0.02 * season + walk.get(`${agent}/thumbs`)! - drop('thumbs');
        scores.push(score(`h-${trace}`, trace, at + 30_000, 'helpfulness', Math.min(1, Math.max(0, rng.normal(helpMean, 0.2))), 'evaluator'));
        scores.push(score(`u-${trace}`, trace, at + 40_000, 'thumbs', rng.chance(Math.min(1, Math.max(0, thumbsP))) ? 1 : 0, 'user'));
      }
    });
  }
  return { spans, scores };
}

function span(trace: string, agent: string, timestamp: number, decision: string): Span {
  return {
    project: 'default', timestamp, agent_id: agent, trace_id: trace, span_id: 's', parent_span_id: null, span_type: 'llm_call', name: 'answer', model: 'gpt-4o', provider: 'openai',
    tokens_input: 100, tokens_output: 50, tokens_cache_read: 0, tokens_cache_write: 0, tokens_reasoning: 0, latency_ms: 800, cost_usd: 0.001, cost_source: 'given',
    decision_made: decision, confidence: null, error_type: null, error_message: null, session_id: null, user_id: null, attributes: {}, input: null, output: null, ingested_at: timestamp,
  } as Span;
}

function score(id: string, trace: string, timestamp: number, name: string, value: number, source: Score['source']): Score {
  return {
    project: 'default', score_id: id, timestamp, target: 'trace', trace_id: trace, span_id: null, session_id: null, name,
    kind: name === 'thumbs' ? 'boolean' : 'number', value, label: null, source, comment: null, author: null, ingested_at: timestamp,
  };
}

interface Episode {
  agent: string | null;
  name: string;
  at: number;
}

export const SCORE_RULE_ID = 'builtin.score_below_baseline';

/** Runs the week through the alert engine and returns each firing episode's start. */
async function run(store: Store, quiet: boolean, override: Record<string, unknown>): Promise<Episode[]> {
  const rng = new Rng(quiet ? 11 : 12);
  const walk = new Map(AGENTS.flatMap((a) => [`${a}/helpfulness`, `${a}/thumbs`]).map((k) => [k, 0]));
  const episodes: Episode[] = [];
  let now = START;
  const builtin = Object.fromEntries(BUILTIN_RULES.map((r) => [r.id, r.id === SCORE_RULE_ID ? override : { enabled: false }]));
  const engine = createAlertEngine({ store, config: alertsConfigSchema.parse({ intervalMs: STEP, builtin }), clock: () => now });
  // The engine judges the projects the catalog lists (a server creates "default" at start).
  await store.createProject('default');
  await engine.start({ timer: false });
  for (let day = 0; day <= DAYS; day++) {
    const { spans, scores } = simulateDay(day, rng, walk, quiet);
    await store.append(spans);
    for (let i = 0; i < scores.length; i += 5_000) await store.appendScores(scores.slice(i, i + 5_000));
    process.stderr.write(`${quiet ? 'quiet' : 'incidents'}: day ${day} stored\n`);
    if (day === 0) continue;
    const from = START + day * DAY;
    for (now = from + STEP; now <= from + DAY; now += STEP) {
      const report = await engine.tick(now);
      for (const t of report.transitions) {
        if (t.rule_id === SCORE_RULE_ID && t.transition === 'firing') episodes.push({ agent: t.labels.agent ?? null, name: t.labels[SCORE_LABEL] ?? '', at: now });
      }
    }
  }
  await engine.stop();
  return episodes;
}

/** The benchmark's table rows for the rule: recall, false alerts per week, time to fire. */
export async function runScoreDropCase(override: Record<string, unknown> = {}): Promise<string> {
  const parsed = overrideRule(BUILTIN_RULES.find((r) => r.id === SCORE_RULE_ID)!, override);
  if (!parsed.ok) throw new Error(parsed.message);
  const rule: AlertRule = parsed.rule;
  const dir = mkdtempSync(join(tmpdir(), 'sightline-score-bench-'));
  try {
    const [quietStore, incidentStore] = await Promise.all([
      createDuckDbStore({ path: join(dir, 'quiet.duckdb') }),
      createDuckDbStore({ path: join(dir, 'incidents.duckdb') }),
    ]);
    const [quiet, noisy] = await Promise.all([run(quietStore, true, override), run(incidentStore, false, override)]);
    await Promise.all([quietStore.close(), incidentStore.close()]);
    const list = incidents();
    const inIncident = (e: Episode) => list.some((i) => i.agent === e.agent && i.name === e.name && e.at >= i.start && e.at <= i.start + i.durationMs + rule.windowMs);
    const found = list.map((i) => noisy.find((e) => e.agent === i.agent && e.name === i.name && e.at >= i.start && e.at <= i.start + i.durationMs + rule.windowMs));
    const weeks = DAYS / 7;
    const rows = list.map((i, k) => [
      `${i.agent} ${i.name} −${i.drop}`, found[k] === undefined ? 'missed' : 'found', found[k] === undefined ? '–' : `${(found[k]!.at - i.start) / STEP}`,
    ]);
    const summary = table(
      ['rule', 'incidents found', 'false alerts / week (quiet run)', 'false alerts / week (incident run)'],
      [[rule.id, `${found.filter((f) => f !== undefined).length} of ${list.length}`, quiet.length / weeks, noisy.filter((e) => !inIncident(e)).length / weeks]],
    );
    return `${summary}\n\n${table(['incident', 'outcome', 'time to fire (5-min evaluations)'], rows)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runScoreDropCase()
    .then((text) => console.log(`\n## score below baseline (${DAYS} simulated days, ${AGENTS.length * 2} agent × score groups, ${PER_MINUTE} scores a minute each)\n\n${text}`))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
