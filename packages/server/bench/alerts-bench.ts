// Detection-quality benchmark of the built-in alert rules, in simulated time: (a) a week of
// stationary traffic (20 agents, noise, daily seasonality) and (b) the same week with each kind of
// labelled incident injected several times at different sizes. Per rule: incidents detected,
// missed, false alerts, time from incident start to firing. In-process: a DuckDB store filled
// through the ingest pipeline, the engine ticked on an injected clock.
// Run: npm run bench:alerts   (BENCH_DAYS=7 BENCH_RATE=4 BENCH_STEP_S=300 are the defaults)
// Also prints the cost of a tick (ms, and each store call the engine made per tick) apart from ingest.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_RULES } from '../src/alert/builtin-rules.js';
import { alertsConfigSchema } from '../src/alert/config.js';
import { createAlertEngine, type TickReport } from '../src/alert/engine.js';
import type { Labels } from '../src/alert/figures.js';
import { createIngestPipeline } from '../src/ingest/pipeline.js';
import { createPriceTable } from '../src/ingest/pricing.js';
import { DEFAULT_LIMITS } from '../src/model/limits.js';
import { createFleet, simulate, type Incident, type LabelledIncident } from '../src/sim/index.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { Store } from '../src/store/store.js';
import { table } from './support.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const RATE = Number(process.env.BENCH_RATE ?? 4);
/** Ticks every 5 simulated minutes (the server default is 30 s): reading rollups costs per row, so a week at 30 s would take ~10× longer. */
const STEP = Number(process.env.BENCH_STEP_S ?? 300) * 1000;
/** Baselines need history: the first day only builds it (7 rule-evaluated days follow). */
const WARMUP = DAY;
const START = Date.UTC(2025, 0, 6);
const PROJECT = 'default';

const RULE_OF_KIND: Record<string, string> = {
  error_spike: 'builtin.error_rate',
  cost_drift: 'builtin.cost_per_inference',
  new_decision: 'builtin.new_decision',
  token_efficiency_drop: 'builtin.token_efficiency',
  latency_regression: 'builtin.latency_p95',
};

/** Each kind 4 times at different sizes; the first of each is the documented minimum size. */
function incidents(): Incident[] {
  const at = (day: number, hour: number) => START + WARMUP + day * DAY + hour * HOUR;
  const d = 40 * MINUTE;
  const out: Incident[] = [];
  const errorRates = [0.3, 0.45, 0.6, 0.9];
  const errorAgents = ['support-2', 'support-4', 'support-1', 'support-5'];
  errorRates.forEach((errorRate, i) => out.push({ kind: 'error_spike', agent: errorAgents[i], decision: 'refund', start: at(i + 0.5, 3 + 5 * i), durationMs: d, errorRate }));
  const costFactors = [1.5, 2, 3, 1.6];
  const costTargets: [string, string][] = [['research-1', 'gpt-4o'], ['sales-2', 'gpt-4o'], ['coding-3', 'claude-sonnet-4-20250514'], ['support-3', 'claude-sonnet-4-20250514']];
  costFactors.forEach((factor, i) => out.push({ kind: 'cost_drift', agent: costTargets[i]![0], model: costTargets[i]![1], start: at(i + 1, 7 + 4 * i), durationMs: d, factor }));
  const shares = [0.1, 0.15, 0.3, 0.5];
  const newAgents = ['support-1', 'research-2', 'coding-1', 'sales-3'];
  shares.forEach((share, i) => out.push({ kind: 'new_decision', agent: newAgents[i]!, decision: `new_choice_${i + 1}`, start: at(i + 1.5, 11 + 3 * i), durationMs: d, share }));
  const effFactors = [1.5, 2, 2.5, 4];
  const effAgents = ['coding-2', 'research-3', 'support-2', 'sales-1'];
  effFactors.forEach((factor, i) => out.push({ kind: 'token_efficiency_drop', agent: effAgents[i]!, start: at(i + 2, 15 + 2 * i), durationMs: d, factor }));
  const latFactors = [2, 2.5, 3, 4];
  // Models the default fleet calls (gemini-2.0-flash is in the catalogue but no agent kind's steps use it).
  const latModels = ['claude-3-5-haiku-20241022', 'gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-20250514'];
  latFactors.forEach((factor, i) => out.push({ kind: 'latency_regression', model: latModels[i]!, start: at(i + 2.6, 19 + i), durationMs: d, factor }));
  return out;
}

interface Fired {
  rule_id: string;
  labels: Labels;
  fired_at: number;
}

/** Store calls the engine made during ticks, per method: count and total ms (wall clock, awaited). */
interface TickProfile {
  ticks: number;
  tickMs: number;
  ingestMs: number;
  calls: Map<string, { n: number; ms: number; rows: number }>;
}

/** Wraps a store so every call made while `profile.active` is counted and timed. */
function profiled(store: Store, profile: TickProfile & { active: boolean }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (!profile.active) return fn.apply(target, args);
        const q = args[0] as { bucketMs?: number; histogram?: boolean } | undefined;
        const name = prop === 'rollup' ? `rollup ${q?.bucketMs === HOUR ? 'hour' : 'minute'}${q?.histogram === false ? '' : ' +hist'}` : String(prop);
        const t0 = performance.now();
        const out = fn.apply(target, args);
        const done = (res: unknown) => {
          let c = profile.calls.get(name);
          if (!c) profile.calls.set(name, (c = { n: 0, ms: 0, rows: 0 }));
          c.n++;
          c.ms += performance.now() - t0;
          if (Array.isArray(res)) c.rows += res.length;
          return res;
        };
        return out instanceof Promise ? out.then(done) : done(out);
      };
    },
  });
}

async function run(withIncidents: boolean): Promise<{ fired: Fired[]; incidents: LabelledIncident[]; events: number; seconds: number; profile: TickProfile }> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-alerts-bench-'));
  const rawStore = await createDuckDbStore({ path: join(dir, 'bench.duckdb') });
  const profile = { ticks: 0, tickMs: 0, ingestMs: 0, calls: new Map(), active: false };
  const store = profiled(rawStore, profile);
  const started = performance.now();
  try {
    await store.createProject(PROJECT);
    const fleet = createFleet({ seed: 42, agents: 20, tracesPerMinutePerAgent: RATE, incidents: withIncidents ? incidents() : [] });
    const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
    let now = START;
    const engine = createAlertEngine({ store, config: alertsConfigSchema.parse({ intervalMs: STEP, lateMs: 0 }), clock: () => now });
    await engine.start({ timer: false });
    const fired: Fired[] = [];
    let events = 0;
    const end = START + WARMUP + DAYS * DAY;
    const ingest = async (from: number, to: number) => {
      const batch: unknown[] = [];
      for (const trace of simulate(fleet, { from, to })) for (const e of trace) batch.push(e);
      const { spans } = pipeline.process(batch, { project: PROJECT, now: to + HOUR });
      events += spans.length;
      await store.append(spans);
      // A tiny rollup read makes the store write the batch's rollups now, so that cost is counted
      // as ingest rather than landing on the next tick's reads.
      await store.rollup({ project: PROJECT, from, to: from + MINUTE, bucketMs: MINUTE, groupBy: [], filter: {}, histogram: false });
    };
    // Warm-up in large batches, then minute by minute with a tick after each step.
    for (let t = START; t < START + WARMUP; t += HOUR) await ingest(t, t + HOUR);
    // Traffic an hour ahead: the engine reads only buckets before `now`, and with lateMs 0 (this
    // ingest is complete before each tick) it re-reads just the last step's minutes.
    for (now = START + WARMUP; now < end; now += STEP) {
      if ((now - START) % HOUR === 0) {
        const t0 = performance.now();
        await ingest(now, now + HOUR);
        profile.ingestMs += performance.now() - t0;
      }
      const t0 = performance.now();
      profile.active = true;
      const report: TickReport = await engine.tick(now);
      profile.active = false;
      profile.ticks++;
      profile.tickMs += performance.now() - t0;
      for (const tr of report.transitions) if (tr.transition === 'firing') fired.push({ rule_id: tr.rule_id, labels: tr.labels, fired_at: now });
    }
    await engine.stop();
    return { fired, incidents: fleet.incidents(), events, seconds: (performance.now() - started) / 1000, profile };
  } finally {
    await rawStore.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether an alert is explained by an incident: same rule family, consistent labels, fired during it or soon after. */
function explains(i: LabelledIncident, f: Fired, anyRule: boolean): boolean {
  if (!anyRule && RULE_OF_KIND[i.kind] !== f.rule_id) return false;
  const late = 30 * MINUTE;
  if (f.fired_at < i.start || f.fired_at > (i.end ?? Infinity) + late) return false;
  const agent = 'agent' in i ? i.agent : undefined;
  if (agent && f.labels.agent !== undefined && f.labels.agent !== agent) return false;
  if (!anyRule && i.kind === 'error_spike' && f.labels.decision !== i.decision) return false;
  if (!anyRule && i.kind === 'new_decision' && f.labels.decision !== i.decision) return false;
  if ('model' in i && f.labels.model !== undefined && f.labels.model !== i.model && !anyRule) return false;
  return true;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  console.log(`alerts bench: ${DAYS} evaluated days (+1 day warm-up), 20 agents, ${RATE} traces/min/agent, tick every ${STEP / 1000} s`);
  // Both runs at once: each store works in its own worker thread.
  const [stationary, incident] = await Promise.all([run(false), run(true)]);
  console.log(`stationary: ${stationary.events.toLocaleString('en-US')} events, ${stationary.seconds.toFixed(1)} s`);
  console.log(`with incidents: ${incident.events.toLocaleString('en-US')} events, ${incident.seconds.toFixed(1)} s`);
  for (const [name, r] of [['stationary', stationary], ['with incidents', incident]] as const) {
    const p = r.profile;
    const calls = [...p.calls].map(([k, c]) => `${k} ${(c.n / p.ticks).toFixed(2)}×/tick ${(c.ms / c.n).toFixed(1)} ms ${Math.round(c.rows / c.n)} rows`).join('; ');
    console.log(`  ${name}: ${p.ticks} ticks, ${(p.tickMs / p.ticks).toFixed(1)} ms/tick (${(p.tickMs / 1000).toFixed(1)} s), ingest ${(p.ingestMs / 1000).toFixed(1)} s; store calls: ${calls}`);
  }
  const rows: (string | number)[][] = [];
  for (const rule of BUILTIN_RULES) {
    const kind = Object.entries(RULE_OF_KIND).find(([, r]) => r === rule.id)![0];
    const mine = incident.incidents.filter((i) => i.kind === kind);
    const firedHere = incident.fired.filter((f) => f.rule_id === rule.id);
    const ttf: number[] = [];
    const missed: string[] = [];
    for (const i of mine) {
      const hit = firedHere.filter((f) => explains(i, f, false)).sort((a, b) => a.fired_at - b.fired_at)[0];
      if (hit) ttf.push((hit.fired_at - i.start) / MINUTE);
      else missed.push(i.label);
    }
    const unexplained = firedHere.filter((f) => !incident.incidents.some((i) => explains(i, f, true)));
    const falseStationary = stationary.fired.filter((f) => f.rule_id === rule.id);
    rows.push([
      rule.id,
      mine.length,
      mine.length - missed.length,
      missed.length,
      falseStationary.length,
      unexplained.length,
      Number.isNaN(median(ttf)) ? 'n/a' : `${median(ttf).toFixed(1)} (${(median(ttf) / (STEP / MINUTE)).toFixed(1)} ticks)`,
      ttf.length ? Math.max(...ttf).toFixed(1) : 'n/a',
    ]);
    for (const m of missed) console.log(`  missed by ${rule.id}: ${m}`);
    for (const f of falseStationary) console.log(`  false alert (stationary) ${rule.id} ${JSON.stringify(f.labels)} at +${((f.fired_at - START) / HOUR).toFixed(2)} h`);
    for (const f of unexplained) console.log(`  unexplained (incident run) ${rule.id} ${JSON.stringify(f.labels)} at +${((f.fired_at - START) / HOUR).toFixed(2)} h`);
  }
  console.log();
  console.log(
    table(
      ['rule', 'incidents', 'detected', 'missed', `false alerts / ${DAYS} d stationary`, 'unexplained alerts, incident run', 'median min to fire', 'max min to fire'],
      rows,
    ),
  );
  console.log('\nincident sizes (first = documented minimum):');
  for (const i of incident.incidents) console.log(`  ${i.id} ${new Date(i.start).toISOString().slice(0, 16)} ${i.label}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
