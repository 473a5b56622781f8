// The budget cases of `npm run bench:alerts`: a month (January, after 7 days of warm-up) of spend
// with daily seasonality and day-to-day noise, the engine ticked every simulated hour on an
// injected clock (a tick every 2 simulated hours), budgets from the config. Tenant "accel" (an attribute budget, $1,000 a month)
// spends more every day: its forecast alert must fire on the day a forecast at its true current
// rate first exhausts the budget (± 1), and its 80 % and 100 % crossings on the days its spend
// crosses them (± 1). Agent "steady" (a rollup budget, $1,000 a month) spends a stationary ~$27
// a day and ends the month near 85 %: its 80 % crossing fires on its day, its 100 % and forecast
// alerts never. Every alert resolves at the month's rollover; notifications are counted per
// incident and channel from the delivery records.

import { alertsConfigSchema } from '../src/alert/config.js';
import { BUILTIN_RULES } from '../src/alert/builtin-rules.js';
import { createAlertEngine } from '../src/alert/engine.js';
import { createIngestPipeline } from '../src/ingest/pipeline.js';
import { createPriceTable } from '../src/ingest/pricing.js';
import { DEFAULT_LIMITS } from '../src/model/limits.js';
import type { Store } from '../src/store/store.js';
import { table } from './support.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MONTH_START = Date.UTC(2025, 0, 1);
const MONTH_END = Date.UTC(2025, 1, 1);
const WARMUP_DAYS = 7;
const AMOUNT = 1_000;
const PROJECT = 'default';
/** Day-to-day noise of each subject's spend (σ of a day's factor). */
const NOISE = 0.08;
/** A tick every 2 h: the cases are judged to the day, and the run shares the cores with the others. */
const TICK = 2 * HOUR;

/** Hour-of-day weight, mean 1: busy afternoons, quiet nights. */
const hourWeight = (h: number) => 1 + 0.6 * Math.cos((2 * Math.PI * (h - 14)) / 24);

interface Subject {
  budget: string;
  /** Expected daily spend (no noise) on day k of January (negative k: warm-up). */
  level: (k: number) => number;
  span: { agent_id: string; attributes?: Record<string, string> };
}

const SUBJECTS: Subject[] = [
  { budget: 'accel', level: (k) => 12 + 2 * Math.max(0, k), span: { agent_id: 'api', attributes: { tenant: 'accel' } } },
  { budget: 'steady', level: () => (0.85 * AMOUNT) / 31, span: { agent_id: 'steady' } },
];

/** Deterministic normal noise per subject and day (mulberry32 + Box–Muller). */
function dayFactor(subject: number, k: number): number {
  let a = (subject * 7919 + (k + 100) * 104_729) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const z = Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
  return Math.max(0.2, 1 + NOISE * z);
}

/** Cost of one span of subject i at t (one span every 10 min). */
function spanCost(i: number, t: number): number {
  const k = Math.floor((t - MONTH_START) / DAY);
  return (SUBJECTS[i]!.level(k) * dayFactor(i, k) * hourWeight(new Date(t).getUTCHours())) / 144;
}

export interface BudgetCase {
  budget: string;
  kind: string;
  /** Expected firing time (null: must not fire). */
  expected: number | null;
  fired: number | null;
  resolved: number | null;
  /** Notifications of the incident it led, per channel: kinds in order. */
  notifications: Record<string, string[]>;
}

export interface BudgetRunResult {
  cases: BudgetCase[];
  seconds: number;
  cpuSeconds: number;
  ticks: number;
}

/** When the actual spend of the month first reaches `amount` (to the 10-min span). */
function crossingTime(i: number, amount: number): number | null {
  let cum = 0;
  for (let t = MONTH_START; t < MONTH_END; t += 600_000) {
    cum += spanCost(i, t);
    if (cum >= amount) return t + 600_000;
  }
  return null;
}

/**
 * The first hour at which a forecast at the subject's true current rate (its noiseless level of
 * the day, spread by the hour-of-day weights) exhausts the budget before the month ends.
 */
function forecastTime(i: number): number | null {
  let cum = 0;
  for (let t = MONTH_START; t < MONTH_END; t += HOUR) {
    const k = Math.floor((t - MONTH_START) / DAY);
    const rest = ((MONTH_END - t) / DAY) * SUBJECTS[i]!.level(k);
    if (cum < AMOUNT && cum + rest >= AMOUNT) return t;
    for (let m = 0; m < 6; m++) cum += spanCost(i, t + m * 600_000);
  }
  return null;
}

export async function runBudgetCases(store: Store, channels: Record<string, unknown>): Promise<BudgetRunResult> {
  const started = performance.now();
  await store.createProject(PROJECT);
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  let now = MONTH_START;
  const config = alertsConfigSchema.parse({
    // (Each tick evaluates: both are at most the tick.)
    intervalMs: HOUR,
    budgetIntervalMs: HOUR,
    channels,
    // The built-in rules are measured by the other runs; this one judges budgets alone.
    builtin: Object.fromEntries(BUILTIN_RULES.map((r) => [r.id, { enabled: false }])),
    budgets: [
      { id: 'accel', scope: { attribute: 'tenant', value: 'accel' }, amountUsd: AMOUNT, period: 'month' },
      { id: 'steady', scope: { agent: 'steady' }, amountUsd: AMOUNT, period: 'month' },
    ],
  });
  const engine = createAlertEngine({ store, config, clock: () => now });
  await engine.start({ timer: false });
  const ingestDay = async (day: number) => {
    const events: unknown[] = [];
    for (let t = day; t < day + DAY; t += 600_000) {
      SUBJECTS.forEach((s, i) => {
        events.push({ timestamp: t, span_type: 'llm_call', model: 'gpt-4o-mini', latency_ms: 900, tokens_input: 500, tokens_output: 100, trace_id: `${s.budget}-${t}`, cost_usd: spanCost(i, t), ...s.span });
      });
    }
    const { spans } = pipeline.process(events, { project: PROJECT, now: day + DAY });
    await store.append(spans);
  };
  for (let d = MONTH_START - WARMUP_DAYS * DAY; d < MONTH_START; d += DAY) await ingestDay(d);
  let ingestedTo = MONTH_START;
  const fired = new Map<string, number>();
  const resolved = new Map<string, number>();
  let ticks = 0;
  // One hour past the month's end: the rollover resolves every alert of January.
  for (now = MONTH_START + TICK; now <= MONTH_END + TICK; now += TICK) {
    while (ingestedTo < now) {
      await ingestDay(ingestedTo);
      ingestedTo += DAY;
    }
    const report = await engine.tick(now);
    ticks++;
    for (const tr of report.transitions) {
      const key = `${tr.labels.budget}/${tr.labels.budget_alert}`;
      if (tr.transition === 'firing' && !fired.has(key)) fired.set(key, now);
      if (tr.transition === 'resolved') resolved.set(key, now);
    }
  }
  await engine.stop();
  const deliveries = await engine.deliveries(PROJECT);
  const incidents = engine.incidents(PROJECT);
  const expected: [string, string, number | null][] = [
    ['accel', 'forecast', forecastTime(0)],
    ['accel', 'spent_80', crossingTime(0, 0.8 * AMOUNT)],
    ['accel', 'spent_100', crossingTime(0, AMOUNT)],
    ['steady', 'forecast', null],
    ['steady', 'spent_80', crossingTime(1, 0.8 * AMOUNT)],
    ['steady', 'spent_100', crossingTime(1, AMOUNT)],
  ];
  const cases = expected.map(([budget, kind, at]) => {
    const inc = incidents.find((i) => i.scope.budget === budget && i.scope.budget_alert === kind);
    const notifications: Record<string, string[]> = {};
    for (const d of deliveries.filter((x) => inc !== undefined && x.notification.incident_id === inc.id).sort((a, b) => a.created_at - b.created_at)) (notifications[d.channel] ??= []).push(d.kind);
    const key = `${budget}/${kind}`;
    return { budget, kind, expected: at, fired: fired.get(key) ?? null, resolved: resolved.get(key) ?? null, notifications };
  });
  const cpu = process.cpuUsage();
  return { cases, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, ticks };
}

const day = (t: number | null) => (t === null ? 'never' : new Date(t).toISOString().slice(5, 13).replace('T', ' ') + 'h');

export function printBudgetCases(r: BudgetRunResult): void {
  const rows = r.cases.map((c) => {
    const ok = c.expected === null ? c.fired === null : c.fired !== null && Math.abs(Math.floor(c.fired / DAY) - Math.floor(c.expected / DAY)) <= 1;
    const per = Object.entries(c.notifications)
      .sort()
      .map(([ch, ks]) => `${ch} ${ks.join('+')}`)
      .join(', ');
    const rollover = c.fired === null ? 'n/a' : c.resolved !== null && c.resolved >= MONTH_END && c.resolved <= MONTH_END + TICK ? 'yes' : 'NO';
    return [`${c.budget} ${c.kind}`, day(c.expected), day(c.fired), ok ? 'yes' : 'NO', rollover, per || 'none'];
  });
  console.log(`\nbudget cases: January 2025 after ${WARMUP_DAYS} days of warm-up, $${AMOUNT} monthly budgets, a tick every ${TICK / HOUR} h, day-to-day noise ${NOISE * 100} %; ${r.ticks} ticks, ${r.seconds.toFixed(1)} s, ${r.cpuSeconds.toFixed(0)} CPU s`);
  console.log(table(['budget case', 'expected (UTC)', 'fired (UTC)', 'right day ± 1', 'resolved at rollover', 'notifications per channel'], rows));
}
