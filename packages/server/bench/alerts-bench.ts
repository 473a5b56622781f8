// Detection-quality benchmark of the built-in alert rules, in simulated time: (a) a week of
// stationary traffic (20 agents, noise, daily seasonality) and (b) the same week with each kind of
// labelled incident injected several times at different sizes. Per rule: incidents detected,
// missed, false alerts, and time to fire in evaluation intervals, from the incident's start and
// from the moment the incident had produced the rule's minSamples (the timestamp of the
// minSamples-th span it changed in the rule's group; negative when the rule fired on fewer).
// Each run has a real DuckDB store on disk, the real engine ticked on an injected clock, and real
// notification channels (webhook with HMAC, Slack, Alertmanager) over HTTP to a loopback receiver.
// The week's traffic is in the store before the first tick (alerts-fill.ts: written once and
// shared, each run appending the minutes its incidents touch through the store's append); the
// engine reads only complete minutes before `now`, so what each tick sees is what it saw when
// traffic was appended 6 h ahead of the clock. No HTTP ingest: the spans are shaped by the real
// ingest pipeline in process (HTTP is measured by bench, bench:overload and the e2e tests; no
// figure here depends on it).
// Grouping: a third run (a day of warm-up, then 10 h) with three cases, each measured by the incidents the engine opened and
// the notifications each got per channel (webhook, Slack, Alertmanager; a loopback receiver):
// a cost drift of one model for every agent that calls it (goal: 1 incident, 1 opening
// notification per channel), one cause that breaches two rules (1 incident), two unrelated causes
// at once (2 incidents).
// Budgets: a fourth, light run (alerts-budget-cases.ts): a month of spend, crossings and forecasts
// judged against the day they should fire on (± 1). The score rule's run (score-drop-bench.ts)
// and the budget run go while the shared week is filled.
// Run: npm run bench:alerts   (BENCH_DAYS=7 BENCH_RATE=4 BENCH_STEP_S=300 are the defaults;
// BENCH_ONLY=grouping, BENCH_ONLY=budgets or BENCH_ONLY=scores runs those cases alone)
// Each run (stationary, incidents, grouping) is its own process with its own copy of the store,
// so they use both cores. Also prints where each run's time and CPU went: its own appends
// (simulation, pipeline, store append and rollup flush) and ticks (and each store call the engine
// made per tick: alertRollups [m h+] is one call reading minutes without and hours with the
// histogram).

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_RULES } from '../src/alert/builtin-rules.js';
import { alertsConfigSchema } from '../src/alert/config.js';
import { createAlertEngine, type TickReport } from '../src/alert/engine.js';
import type { Labels } from '../src/alert/figures.js';
import type { Span } from '../src/model/span.js';
import type { Incident, LabelledIncident } from '../src/sim/index.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import type { Store } from '../src/store/store.js';
import { checkSameTraffic, clip, complement, copyBase, fleetOf, mergeAndDerive, PROJECT, spansOf, touchedWindows, writePart, type FillConfig, type Window } from './alerts-fill.js';
import { printBudgetCases, runBudgetCases, type BudgetRunResult } from './alerts-budget-cases.js';
import { table } from './support.js';
import { runScoreDropCase } from './score-drop-bench.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const RATE = Number(process.env.BENCH_RATE ?? 4);
/**
 * The evaluation interval (`alerts.intervalMs`): 5 min, a setting users pick for 10–15 min
 * windows (the server default is 30 s). Times to fire are reported in these intervals.
 */
const STEP = Number(process.env.BENCH_STEP_S ?? 300) * 1000;
/** Baselines need history: the first day only builds it (7 rule-evaluated days follow). */
const WARMUP = DAY;
const START = Date.UTC(2025, 0, 6);

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

interface GroupingCase {
  name: string;
  /** Incidents the engine should open for it. */
  expected: number;
  incidents: Incident[];
}

/** The grouping run's cases, 3 h apart after its day of warm-up. */
const GROUPING_HOURS = 10;
function groupingCases(): GroupingCase[] {
  const at = (hour: number) => START + WARMUP + hour * HOUR;
  const d = 40 * MINUTE;
  return [
    { name: 'one model, every agent that calls it (cost ×2)', expected: 1, incidents: [{ id: 'group-model', kind: 'cost_drift', model: 'gpt-4o-mini', start: at(2), durationMs: d, factor: 2 }] },
    {
      name: 'one cause, two rules (gpt-4o: cost ×2 and latency ×3)',
      expected: 1,
      incidents: [
        { id: 'group-two-rules-cost', kind: 'cost_drift', model: 'gpt-4o', start: at(5), durationMs: d, factor: 2 },
        { id: 'group-two-rules-latency', kind: 'latency_regression', model: 'gpt-4o', start: at(5), durationMs: d, factor: 3 },
      ],
    },
    {
      name: 'two unrelated causes at once (support-3 refunds fail; haiku latency ×3)',
      expected: 2,
      incidents: [
        { id: 'group-unrelated-errors', kind: 'error_spike', agent: 'support-3', decision: 'refund', start: at(8), durationMs: d, errorRate: 0.6 },
        { id: 'group-unrelated-latency', kind: 'latency_regression', model: 'claude-3-5-haiku-20241022', start: at(8), durationMs: d, factor: 3 },
      ],
    },
  ];
}

/** Channels of the bench: all three kinds, to a loopback receiver that answers 200. */
async function startReceiver(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

/**
 * Whether a span is one the incident changed that its rule counts: inside the incident's window,
 * of the rule's span type, and of the incident's agent / decision / model.
 */
function affects(i: LabelledIncident, s: Span): boolean {
  if (s.timestamp < i.start || (i.end !== null && s.timestamp >= i.end)) return false;
  if ('agent' in i && i.agent !== undefined && s.agent_id !== i.agent) return false;
  switch (i.kind) {
    case 'error_spike':
    case 'new_decision':
      return s.span_type === 'decision' && s.decision_made === i.decision;
    case 'cost_drift':
    case 'latency_regression':
      return s.span_type === 'llm_call' && s.model === i.model;
    case 'token_efficiency_drop':
      return s.span_type === 'llm_call';
    case 'cohort_failure':
      return false;
  }
}

interface Fired {
  rule_id: string;
  labels: Labels;
  fired_at: number;
}

/** Where a run's time went; store calls the engine made during ticks, per method: count, ms, rows. */
interface RunProfile {
  ticks: number;
  tickMs: number;
  ingestMs: number;
  /** CPU time of the process (all threads) spent during ingest and during ticks. */
  ingestCpuMs: number;
  tickCpuMs: number;
  calls: Record<string, { n: number; ms: number; rows: number }>;
}

/** An incident the engine opened, and the notifications (delivery records) it got, per channel and kind. */
interface OpenedIncident {
  id: string;
  lead_rule_id: string;
  opened_at: number;
  resolved_at: number | null;
  alerts: number;
  rules: string[];
  title: string;
  /** channel → kinds in order. */
  notifications: Record<string, string[]>;
}

interface RunResult {
  fired: Fired[];
  opened: OpenedIncident[];
  incidents: LabelledIncident[];
  /** Per incident id: when it had produced its rule's minSamples affected spans (null: never). */
  samplesReachedAt: Record<string, number | null>;
  events: number;
  seconds: number;
  /** CPU time of the run's process (all its threads: simulation, engine, store worker, DuckDB). */
  cpuSeconds: number;
  profile: RunProfile;
}

/**
 * The DuckDB store's engine on this thread. The server runs the same engine in a worker thread so
 * that appends never stall HTTP; a run here has no HTTP, and copying every span to a worker cost
 * ~8 µs of CPU a span (30 % of ingest), for nothing the benchmark measures.
 */
async function openInProcessStore(path: string): Promise<Store> {
  // One DuckDB thread: the two runs share two cores, and more threads only contend.
  const engine = await DuckDbEngine.open({ path, threads: 1 });
  // Checked at compile time: the engine has every Store method but these two.
  const methods: Omit<Store, 'kind' | 'tryAcquireLease'> = engine;
  return new Proxy(methods as Store, {
    get(target, prop) {
      if (prop === 'kind') return 'duckdb';
      if (prop === 'tryAcquireLease') return () => Promise.resolve(true);
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Wraps a store so every call made while `profile.active` is counted and timed. */
function profiled(store: Store, profile: RunProfile & { active: boolean }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (!profile.active) return fn.apply(target, args);
        // alertRollups, the engine's one read a tick, is named by what it read: m (minute) / h (hour), + histogram.
        const name =
          prop === 'alertRollups'
            ? `alertRollups [${(args[0] as { bucketMs: number; histogram?: boolean }[]).map((q) => `${q.bucketMs === HOUR ? 'h' : 'm'}${q.histogram === false ? '' : '+'}`).join(' ')}]`
            : String(prop);
        const t0 = performance.now();
        const out = fn.apply(target, args);
        const done = (res: unknown) => {
          const c = (profile.calls[name] ??= { n: 0, ms: 0, rows: 0 });
          c.n++;
          c.ms += performance.now() - t0;
          if (Array.isArray(res)) c.rows += prop === 'alertRollups' ? (res as unknown[][]).reduce((n, r) => n + r.length, 0) : res.length;
          return res;
        };
        return out instanceof Promise ? out.then(done) : done(out);
      };
    },
  });
}

type RunName = 'stationary' | 'incidents' | 'grouping';

/** The runs' fleets' incidents. */
function incidentsOf(name: RunName): Incident[] {
  return name === 'incidents' ? incidents() : name === 'grouping' ? groupingCases().flatMap((c) => c.incidents) : [];
}

/** Where the runs' traffic ends (trace starts): the last tick reads only minutes before it. */
function endOf(name: RunName): number {
  return START + WARMUP + (name === 'grouping' ? GROUPING_HOURS * HOUR : DAYS * DAY);
}

const FILL: FillConfig = { seed: 42, agents: 20, rate: RATE, start: START, end: START + WARMUP + DAYS * DAY };
/** Minutes some run's incidents can touch: each run appends them itself, from its own fleet. */
const TOUCHED = touchedWindows([...incidentsOf('incidents'), ...incidentsOf('grouping')]);
/** The rest of the week, shared by every run (alerts-fill.ts). */
const SHARED = complement(TOUCHED, FILL.start, FILL.end);

async function run(name: RunName, base: string): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-alerts-bench-'));
  const profile = { ticks: 0, tickMs: 0, ingestMs: 0, ingestCpuMs: 0, tickCpuMs: 0, calls: {}, active: false };
  const cpuMs = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const started = performance.now();
  try {
    const t0 = performance.now();
    const c0 = cpuMs();
    const rawStore = await openInProcessStore(copyBase(base, dir));
    const store = profiled(rawStore, profile);
    await store.createProject(PROJECT);
    const fleet = fleetOf(FILL, incidentsOf(name));
    const labelled = fleet.incidents();
    checkSameTraffic(FILL, fleet, SHARED, labelled[0]?.start ?? START);
    const minSamples = new Map(BUILTIN_RULES.map((r) => [r.id, r.minSamples]));
    const affected = new Map(labelled.map((i) => [i.id, [] as number[]]));
    const end = endOf(name);
    // This run's own minutes, through the store's append and rollup flush (as the server stores a
    // request's batch). Every span an incident affects is among them: a trace's spans end within
    // the margin of touchedWindows() after it starts.
    let events = 0;
    for (const spans of spansOf(fleet, clip(TOUCHED, START, end))) {
      events += spans.length;
      for (const s of spans) for (const i of labelled) if (affects(i, s)) affected.get(i.id)!.push(s.timestamp);
      await store.append(spans);
    }
    // A tiny rollup read makes the store write the appends' rollups now, so that cost is counted
    // as ingest rather than landing on the first tick's reads.
    await store.rollup({ project: PROJECT, from: START, to: START + MINUTE, bucketMs: MINUTE, groupBy: [], filter: {}, histogram: false });
    profile.ingestMs += performance.now() - t0;
    profile.ingestCpuMs += cpuMs() - c0;
    let now = START;
    // The server's defaults but for the interval (lateMs 2 min: the last minutes are re-read each tick).
    const receiver = await startReceiver();
    const channels = {
      hook: { kind: 'webhook', url: `${receiver.url}/hook`, secret: 'bench-secret-0123456789' },
      slack: { kind: 'slack', url: `${receiver.url}/slack` },
      am: { kind: 'alertmanager', url: receiver.url },
    };
    const engine = createAlertEngine({ store, config: alertsConfigSchema.parse({ intervalMs: STEP, channels }), clock: () => now });
    await engine.start({ timer: false });
    const fired: Fired[] = [];
    // The whole week is in the store before the first tick; the engine reads only complete
    // minutes before `now` (as the old bench, which appended 6 h ahead of the clock, relied on).
    for (now = START + WARMUP; now < end; now += STEP) {
      const t1 = performance.now();
      const c1 = cpuMs();
      profile.active = true;
      const report: TickReport = await engine.tick(now);
      profile.active = false;
      profile.ticks++;
      profile.tickMs += performance.now() - t1;
      profile.tickCpuMs += cpuMs() - c1;
      for (const tr of report.transitions) if (tr.transition === 'firing') fired.push({ rule_id: tr.rule_id, labels: tr.labels, fired_at: now });
    }
    await engine.stop();
    receiver.close();
    const deliveries = await engine.deliveries(PROJECT);
    const opened: OpenedIncident[] = engine.incidents(PROJECT).map((inc) => {
      const notifications: Record<string, string[]> = {};
      for (const d of [...deliveries].filter((x) => x.notification.incident_id === inc.id).sort((a, b) => a.created_at - b.created_at)) (notifications[d.channel] ??= []).push(d.kind);
      return { id: inc.id, lead_rule_id: inc.lead_rule_id, opened_at: inc.opened_at, resolved_at: inc.resolved_at, alerts: inc.members.length, rules: [...new Set(inc.members.map((m) => m.rule_id))], title: inc.title, notifications };
    });
    const samplesReachedAt: Record<string, number | null> = {};
    for (const i of labelled) {
      const ts = affected.get(i.id)!.sort((a, b) => a - b);
      samplesReachedAt[i.id] = ts[minSamples.get(RULE_OF_KIND[i.kind]!)! - 1] ?? null;
    }
    const cpu = process.cpuUsage();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return { fired, opened, incidents: labelled, samplesReachedAt, events, seconds: (performance.now() - started) / 1000, cpuSeconds, profile };
  } finally {
    // No close(): it compacts and checkpoints a file that is deleted next; the process exits.
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The budget cases in their own store, with the three channels to a loopback receiver. */
async function runBudgets(): Promise<BudgetRunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-alerts-bench-budgets-'));
  const receiver = await startReceiver();
  try {
    const store = await openInProcessStore(join(dir, 'bench.duckdb'));
    const channels = {
      hook: { kind: 'webhook', url: `${receiver.url}/hook`, secret: 'bench-secret-0123456789' },
      slack: { kind: 'slack', url: `${receiver.url}/slack` },
      am: { kind: 'alertmanager', url: receiver.url },
    };
    return await runBudgetCases(store, channels);
  } finally {
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs this file with `args` in a child process and parses what it prints: the runs use both cores. */
function child<T>(args: string[]): Promise<T> {
  const argv = [...process.execArgv, fileURLToPath(import.meta.url), ...args];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => {
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(0, 500)}`));
      }
    });
  });
}

/** One scenario on its own copy of the shared week (`base`). */
function runChild(name: RunName, base: string): Promise<RunResult> {
  return child(['--run', name, '--base', base]);
}

/** What filling the shared week cost: spans, wall and CPU seconds of its processes. */
interface FillResult {
  spans: number;
  seconds: number;
  cpuSeconds: number;
  /** Of it, merging the parts and deriving rollups and the trace index (the parent's process). */
  deriveSeconds: number;
}

/**
 * The shared week (alerts-fill.ts): its two halves written by two processes at once, then merged
 * and opened once by the store to derive the rollups of all of it.
 */
async function fillShared(dir: string): Promise<{ base: string; fill: FillResult }> {
  const started = performance.now();
  const mid = Math.floor((FILL.start + FILL.end) / 2 / HOUR) * HOUR;
  const halves: Window[][] = [clip(SHARED, FILL.start, mid), clip(SHARED, mid, FILL.end)];
  const paths = halves.map((_, k) => join(dir, `part-${k}.duckdb`));
  // Disjoint append batch numbers per part (the store derives rollups by batch number).
  const parts = await Promise.all(halves.map((w, k) => child<{ spans: number; cpuSeconds: number }>(['--fill', paths[k]!, JSON.stringify(w), String(1 + k * 1_000_000)])));
  const d0 = performance.now();
  const derived = await child<{ cpuSeconds: number }>(['--derive', ...paths]);
  for (const p of paths.slice(1)) rmSync(p, { force: true });
  return {
    base: paths[0]!,
    fill: {
      spans: parts.reduce((n, p) => n + p.spans, 0),
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: parts.reduce((n, p) => n + p.cpuSeconds, 0) + derived.cpuSeconds,
      deriveSeconds: (performance.now() - d0) / 1000,
    },
  };
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

/** Per incident and channel, averaged: "1 / 0.5 / 0 / 1". */
function notificationsText(list: readonly OpenedIncident[]): string {
  const per = (kind: string) => {
    const counts = list.flatMap((o) => Object.values(o.notifications).map((ks) => ks.filter((k) => k === kind).length));
    return counts.length === 0 ? 'n/a' : String(Math.round((counts.reduce((a, b) => a + b, 0) / counts.length) * 10) / 10);
  };
  return list.length === 0 ? 'n/a' : ['firing', 'update', 'renotify', 'resolved'].map(per).join(' / ');
}

/** The grouping cases: incidents opened during each, and their notifications per channel. */
function printGrouping(r: RunResult): void {
  const rows: (string | number)[][] = [];
  for (const c of groupingCases()) {
    const from = Math.min(...c.incidents.map((i) => i.start!));
    const to = Math.max(...c.incidents.map((i) => i.start! + i.durationMs!)) + 30 * MINUTE;
    const opened = r.opened.filter((o) => o.opened_at >= from && o.opened_at <= to);
    const channels = [...new Set(opened.flatMap((o) => Object.keys(o.notifications)))].sort();
    const openings = channels.map((ch) => `${ch} ${opened.map((o) => (o.notifications[ch] ?? []).filter((k) => k === 'firing').length).join('+')}`).join(', ');
    rows.push([
      c.name,
      c.expected,
      opened.length,
      opened.length === c.expected ? 'yes' : 'NO',
      opened.map((o) => `${o.alerts} (${o.rules.map((x) => x.replace('builtin.', '')).join(', ')})`).join('; '),
      openings || 'none',
      notificationsText(opened),
    ]);
    for (const o of opened) console.log(`  ${c.name}: ${o.id} "${o.title}" opened +${((o.opened_at - from) / MINUTE).toFixed(0)} min, resolved ${o.resolved_at === null ? 'never' : `+${((o.resolved_at - from) / MINUTE).toFixed(0)} min`}`);
  }
  console.log();
  console.log(table(['grouping case', 'incidents expected', 'incidents opened', 'as expected', 'alerts in each (rules)', 'opening notifications per channel', 'per incident and channel: opening / updates / reminders / resolution'], rows));
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function printProfile(name: string, r: RunResult): void {
  const p = r.profile;
  const calls = Object.entries(p.calls)
    .map(([k, c]) => `${k} ${(c.n / p.ticks).toFixed(2)}×/tick ${(c.ms / c.n).toFixed(1)} ms ${Math.round(c.rows / c.n)} rows`)
    .join('; ');
  console.log(`${name}: ${r.events.toLocaleString('en-US')} events, ${r.seconds.toFixed(1)} s, ${r.cpuSeconds.toFixed(0)} CPU s (ingest ${(p.ingestMs / 1000).toFixed(1)} s / ${(p.ingestCpuMs / 1000).toFixed(0)} CPU s, ${p.ticks} ticks ${(p.tickMs / 1000).toFixed(1)} s / ${(p.tickCpuMs / 1000).toFixed(0)} CPU s = ${(p.tickMs / p.ticks).toFixed(1)} ms / ${(p.tickCpuMs / p.ticks).toFixed(1)} CPU ms a tick)`);
  console.log(`  store calls per tick: ${calls}`);
}

async function main(): Promise<void> {
  const interval = `${STEP / MINUTE}-min`;
  console.log(`alerts bench: ${DAYS} evaluated days (+1 day warm-up), 20 agents, ${RATE} traces/min/agent, evaluation interval ${STEP / 1000} s`);
  const started = performance.now();
  if (process.env.BENCH_ONLY === 'scores') return console.log(await scoreDropText());
  if (process.env.BENCH_ONLY === 'grouping') {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-alerts-bench-week-'));
    try {
      printGrouping(await runChild('grouping', (await fillShared(dir)).base));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  if (process.env.BENCH_ONLY === 'budgets') {
    printBudgetCases(await child<BudgetRunResult>(['--run', 'budgets']));
    return;
  }
  // The budget cases and the score rule need no shared week: they run while it is filled.
  const budgetsRun = child<BudgetRunResult>(['--run', 'budgets']);
  const scoresRun = scoreDropText();
  const dir = mkdtempSync(join(tmpdir(), 'sightline-alerts-bench-week-'));
  let results: [RunResult, RunResult, RunResult];
  let fill: FillResult;
  try {
    const shared = await fillShared(dir);
    fill = shared.fill;
    results = await Promise.all([runChild('stationary', shared.base), runChild('incidents', shared.base), runChild('grouping', shared.base)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [stationary, incident, grouping] = results;
  const budgets = await budgetsRun;
  console.log(`shared week: ${fill.spans.toLocaleString('en-US')} spans written by 2 processes and rolled up once, ${fill.seconds.toFixed(1)} s, ${fill.cpuSeconds.toFixed(0)} CPU s (merge and derive ${fill.deriveSeconds.toFixed(1)} s)`);
  printProfile('stationary', stationary);
  printProfile('with incidents', incident);
  const rows: (string | number)[][] = [];
  const fmt = (xs: number[], unit: number) => (xs.length === 0 ? 'n/a' : (median(xs) / unit).toFixed(1));
  // The rules on by default (the per-user spend rule is off: the fleet sets no user_id).
  // The score rule has its own run and table below (score-drop-bench.ts).
  for (const rule of BUILTIN_RULES.filter((r) => r.enabled && Object.values(RULE_OF_KIND).includes(r.id))) {
    const kind = Object.entries(RULE_OF_KIND).find(([, r]) => r === rule.id)![0];
    const mine = incident.incidents.filter((i) => i.kind === kind);
    const firedHere = incident.fired.filter((f) => f.rule_id === rule.id);
    const fromStart: number[] = [];
    const fromSamples: number[] = [];
    const missed: string[] = [];
    for (const i of mine) {
      const hit = firedHere.filter((f) => explains(i, f, false)).sort((a, b) => a.fired_at - b.fired_at)[0];
      if (!hit) {
        missed.push(i.label);
        continue;
      }
      fromStart.push(hit.fired_at - i.start);
      const reached = incident.samplesReachedAt[i.id];
      if (reached !== null && reached !== undefined) fromSamples.push(hit.fired_at - reached);
      console.log(`  ${rule.id} ${i.id} fired ${((hit.fired_at - i.start) / MINUTE).toFixed(0)} min after start, ${reached == null ? 'n/a' : ((hit.fired_at - reached) / STEP).toFixed(2)} intervals after ${rule.minSamples} affected samples`);
    }
    const unexplained = firedHere.filter((f) => !incident.incidents.some((i) => explains(i, f, true)));
    const falseStationary = stationary.fired.filter((f) => f.rule_id === rule.id);
    const led = incident.opened.filter((o) => o.lead_rule_id === rule.id);
    rows.push([
      rule.id,
      interval,
      mine.length,
      mine.length - missed.length,
      missed.length,
      falseStationary.length,
      unexplained.length,
      `${fmt(fromStart, MINUTE)} (${fmt(fromStart, STEP)})`,
      fmt(fromSamples, STEP),
      fromSamples.length ? (Math.max(...fromSamples) / STEP).toFixed(1) : 'n/a',
      led.length,
      notificationsText(led),
    ]);
    for (const m of missed) console.log(`  missed by ${rule.id}: ${m}`);
    for (const f of falseStationary) console.log(`  false alert (stationary) ${rule.id} ${JSON.stringify(f.labels)} at +${((f.fired_at - START) / HOUR).toFixed(2)} h`);
    for (const f of unexplained) console.log(`  unexplained (incident run) ${rule.id} ${JSON.stringify(f.labels)} at +${((f.fired_at - START) / HOUR).toFixed(2)} h`);
  }
  console.log();
  console.log(
    table(
      [
        'rule',
        'evaluation interval',
        'incidents',
        'detected',
        'missed',
        `false alerts / ${DAYS} d stationary`,
        'unexplained alerts, incident run',
        'median to fire from start: min (intervals)',
        'median to fire from min samples: intervals',
        'max from min samples: intervals',
        'incidents it led, incident run',
        'notifications per incident and channel: opening / updates / reminders / resolution',
      ],
      rows,
    ),
  );
  printGrouping(grouping);
  printBudgetCases(budgets);
  console.log('\nincident sizes (first = documented minimum):');
  for (const i of incident.incidents) console.log(`  ${i.id} ${new Date(i.start).toISOString().slice(0, 16)} ${i.label}`);
  console.log(await scoresRun);
  const own = process.cpuUsage();
  const cpu = fill.cpuSeconds + stationary.cpuSeconds + incident.cpuSeconds + grouping.cpuSeconds + budgets.cpuSeconds + (own.user + own.system) / 1e6;
  // On a shared machine the wall time says little; the CPU of every process says what 2 free cores need at least.
  console.log(`\nwall time ${((performance.now() - started) / 1000).toFixed(1)} s; CPU of all its processes ${cpu.toFixed(0)} s (at least ${(cpu / 2).toFixed(0)} s of wall time on 2 free cores)`);
}

/** The "score below baseline" rule, measured on its own store (score-drop-bench.ts). */
async function scoreDropText(): Promise<string> {
  return `\nscore below baseline (${DAYS} evaluated days, 5 agents × 2 score names):\n${await runScoreDropCase()}`;
}

const arg = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
};
const runName = arg('--run');
const fillPath = arg('--fill');
const derive = process.argv.indexOf('--derive');
if (runName !== undefined || fillPath !== undefined || derive >= 0) {
  const cpu = () => {
    const c = process.cpuUsage();
    return { cpuSeconds: (c.user + c.system) / 1e6 };
  };
  const work: Promise<unknown> =
    derive >= 0
      ? mergeAndDerive(process.argv.slice(derive + 1)).then(cpu)
      : fillPath !== undefined
      ? writePart(fillPath, FILL, JSON.parse(process.argv[process.argv.indexOf('--fill') + 2]!) as Window[], BigInt(process.argv[process.argv.indexOf('--fill') + 3]!)).then((spans) => {
          const c = process.cpuUsage();
          return { spans, cpuSeconds: (c.user + c.system) / 1e6 };
        })
      : runName === 'budgets'
        ? runBudgets()
        : run(runName as RunName, arg('--base')!);
  work
    .then((r) => process.stdout.write(JSON.stringify(r), () => process.exit(0)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
