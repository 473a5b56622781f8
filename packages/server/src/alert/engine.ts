// The alert engine: on every tick (default 30 s, injected clock) it evaluates each project's rules
// over rollups read through the Store, steps each alert's state machine, persists states and
// history, and queues one notification per firing / resolution (plus re-notifications) to channels.

import { createHash, randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import { createAcknowledgements } from './acknowledgements.js';
import type { AlertsConfig } from './config.js';
import { baselineRange, createBaselineCache, evaluateRule } from './evaluate-rule.js';
import type { BaselineStats, Labels } from './figures.js';
import { alertSummary, buildEvidence } from './evidence.js';
import { createBucketTotals, sumGroups } from './bucket-totals.js';
import { createChannel, type Channel } from './notify/channels.js';
import { createDispatcher, type Delivery } from './notify/deliveries.js';
import type { AlertNotification, NotificationKind } from './notify/notification.js';
import { createRollupWindowReader, planReads, type RollupWindow } from './rollup-window.js';
import { createRuleSet, type RuleEntry, type RuleRemoval } from './rule-set.js';
import type { AlertRule, RuleParse } from './rule.js';
import { activeSilence, type Silence } from './silences.js';
import { step, type AlertState, type CorrelatedFinding, type Transition } from './state-machine.js';

export interface AlertEngineDeps {
  store: Store;
  config: AlertsConfig;
  clock: () => number;
  log?: (line: string) => void;
  /** Looks up a related Insight-engine finding for a firing alert, where one exists. */
  findCorrelated?: (state: AlertState) => Promise<CorrelatedFinding | undefined>;
  /** Called after every evaluation (Prometheus health metrics). */
  onTick?: (report: TickReport) => void;
}

export interface TickReport {
  at: number;
  evaluated: number;
  transitions: { alert_id: string; rule_id: string; labels: Labels; transition: Transition }[];
  notifications: number;
  deliveries: Delivery[];
}

export interface AlertEngine {
  /** Loads persisted rules, states, silences and pending deliveries; starts the timer unless `timer: false`. */
  start(opts?: { timer?: boolean }): Promise<void>;
  /**
   * Re-reads rules, states, acknowledgements and silences (another node may have written them), and
   * the pending deliveries unless `deliveries: false`: only the evaluating node sends them, and it
   * needs them once, when it starts evaluating (they are all deliveries ever made, 30 days of them).
   */
  reload(opts?: { deliveries?: boolean }): Promise<void>;
  stop(): Promise<void>;
  /** One evaluation at `now` (default: the clock), then due deliveries. Ticks never overlap. */
  tick(now?: number): Promise<TickReport>;
  rules(project: string): RuleEntry[];
  putRule(project: string, input: unknown, id?: string): Promise<RuleParse>;
  removeRule(project: string, id: string): Promise<RuleRemoval>;
  alerts(project: string): AlertState[];
  acknowledge(project: string, alertId: string, by: string): Promise<AlertState | null>;
  silences(project: string): Silence[];
  addSilence(s: Omit<Silence, 'id' | 'created_at'>): Promise<Silence>;
  expireSilence(project: string, id: string): Promise<Silence | null>;
  deliveries(project: string): Promise<Delivery[]>;
  /** Alerts firing now, across projects. */
  firingCount(): number;
  readonly channels: ReadonlyMap<string, Channel>;
}

const HISTORY_KINDS = new Set<Transition>(['firing', 'resolved']);

const DAY = 86_400_000;

export function alertIdOf(project: string, ruleId: string, groupKey: string): string {
  return createHash('sha256').update(`${project}\u0000${ruleId}\u0000${groupKey}`).digest('hex').slice(0, 16);
}

/**
 * @example
 *   const engine = createAlertEngine({ store, config: config.alerts, clock: Date.now });
 *   await engine.start(); … await engine.stop();
 */
export function createAlertEngine(deps: AlertEngineDeps): AlertEngine {
  const { store, config } = deps;
  const log = deps.log ?? (() => undefined);
  const channels = new Map(Object.entries(config.channels).map(([name, c]) => [name, createChannel(name, c)]));
  const dispatcher = createDispatcher(store, channels, config.delivery);
  const ruleSet = createRuleSet(store, config);
  const reader = createRollupWindowReader(store, config.lateMs);
  const bucketTotals = createBucketTotals();
  const baselines = createBaselineCache(bucketTotals, config.lateMs);
  const states = new Map<string, AlertState>();
  const silences = new Map<string, Silence>();
  /** Acknowledgements, joined with the states they belong to (only the evaluating node writes states). */
  const acks = createAcknowledgements(store);
  const lastEvaluated = new Map<string, number>();
  /** Last push of each firing alert to each Alertmanager channel (in memory: a restart just pushes again). */
  const amPushed = new Map<string, number>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<TickReport> | null = null;
  let reloading: Promise<void> | null = null;
  /** Ticks and reloads take turns: a reload must not swap the states a tick is stepping. */
  const idle = async (): Promise<void> => {
    while (running !== null || reloading !== null) await Promise.allSettled([running, reloading]);
  };
  let lastPrune = 0;
  /** alertIdOf per rule × group judged: a tick judges hundreds of groups, most of them every time. */
  const alertIds = new Map<string, string>();
  const alertIdFor = (project: string, ruleId: string, groupKey: string): string => {
    const key = `${project}\u0000${ruleId}\u0000${groupKey}`;
    let id = alertIds.get(key);
    if (id === undefined) {
      if (alertIds.size >= 100_000) alertIds.clear();
      alertIds.set(key, (id = alertIdOf(project, ruleId, groupKey)));
    }
    return id;
  };

  const channelsFor = (rule: AlertRule): Channel[] =>
    rule.channels === undefined ? [...channels.values()] : rule.channels.flatMap((n) => (channels.has(n) ? [channels.get(n)!] : []));

  const projectSilences = (project: string) => [...silences.values()].filter((s) => s.project === project);

  function notificationOf(s: AlertState, kind: NotificationKind, now: number): AlertNotification {
    const path = s.evidence?.dashboard_url ?? '/';
    return {
      kind,
      alert_id: s.id,
      project: s.project,
      rule_id: s.rule_id,
      rule_name: s.rule_name,
      severity: s.severity,
      status: s.status,
      labels: s.labels,
      summary: alertSummary(s),
      fired_at: s.fired_at ?? now,
      resolved_at: s.resolved_at,
      at: now,
      evidence: s.evidence,
      url: config.publicUrl ? `${config.publicUrl.replace(/\/$/, '')}${path}` : path,
    };
  }

  async function evaluateProject(project: string, now: number, report: TickReport): Promise<void> {
    const entries = ruleSet.forProject(project).filter((e) => e.rule.enabled);
    const due = entries.filter((e) => {
      const last = lastEvaluated.get(`${project}\u0000${e.rule.id}`);
      return last === undefined || e.rule.intervalMs === 0 || now - last >= e.rule.intervalMs || now < last;
    });
    if (due.length === 0) return;
    // Plans from every enabled rule (not just the due ones), so their shape and caches stay put
    // between ticks; only plans with a due rule are read.
    const plans = planReads(entries.map((e) => e.rule));
    reader.retain(project, new Set(plans.map((p) => p.key)));
    const dueIds = new Set(due.map((e) => e.rule.id));
    const reads = plans
      .filter((p) => p.rules.some((r) => dueIds.has(r.id)))
      .map((plan) => ({
        plan,
        windowMs: Math.max(...plan.rules.map((r) => r.windowMs)),
        baselineFrom: Math.min(...plan.rules.map((r) => baselineRange(r, now, config.lateMs).from)),
      }));
    const windows = new Map<string, RollupWindow>();
    const read = await reader.read(project, now, reads);
    reads.forEach(({ plan }, i) => {
      for (const r of plan.rules) windows.set(r.id, read[i]!);
    });
    const changed: AlertState[] = [];
    const events: { state: AlertState; kind: string }[] = [];
    const toNotify: { state: AlertState; kind: NotificationKind; rule: AlertRule }[] = [];
    const silenceList = projectSilences(project);

    for (const { rule } of due) {
      lastEvaluated.set(`${project}\u0000${rule.id}`, now);
      report.evaluated++;
      const live = new Map<string, { labels: Labels; frozen: BaselineStats | null }>();
      for (const s of states.values()) {
        if (s.project === project && s.rule_id === rule.id && (s.status === 'pending' || s.status === 'firing')) {
          live.set(s.group_key, { labels: s.labels, frozen: s.baseline });
        }
      }
      const win = windows.get(rule.id)!;
      const perMinute = bucketTotals(`${project}\u0000${rule.id}\u0000minute`, rule, win.minuteBuckets, now - rule.windowMs, now);
      for (const g of evaluateRule(rule, sumGroups(perMinute.values()), baselines(project, rule, win, now), live)) {
        const id = alertIdFor(project, rule.id, g.groupKey);
        const prev = states.get(id);
        if (!prev && !g.verdict.breach) continue;
        const { state, transition } = step(prev, { id, project, rule, labels: g.labels, groupKey: g.groupKey, verdict: g.verdict, baseline: g.baseline, now });
        // An acknowledgement taken while this tick ran (or on another node) is not in prev.
        acks.apply(state);
        states.set(id, state);
        if (transition === null) {
          if (movedSince(prev, state)) changed.push(state);
          continue;
        }
        changed.push(state);
        report.transitions.push({ alert_id: id, rule_id: rule.id, labels: state.labels, transition });
        if (transition === 'firing') {
          state.evidence = await buildEvidence(store, state, rule, now).catch((err: Error) => {
            log(`alerts: evidence for ${rule.id} failed: ${err.message}`);
            return null;
          });
          if (deps.findCorrelated && state.evidence) {
            const finding = await deps.findCorrelated(state).catch(() => undefined);
            if (finding) state.evidence.correlated_finding = finding;
          }
        }
        if (HISTORY_KINDS.has(transition)) events.push({ state, kind: transition });
        if (transition === 'resolved' && state.notified) toNotify.push({ state, kind: 'resolved', rule });
      }
      // Firing alerts: first notification (held while silenced), re-notification, Alertmanager resends.
      for (const s of states.values()) {
        if (s.project !== project || s.rule_id !== rule.id || s.status !== 'firing') continue;
        if (activeSilence(silenceList, s, now)) continue;
        if (!s.notified) toNotify.push({ state: s, kind: 'firing', rule });
        else if (config.renotifyMs > 0 && s.acknowledged_at === null && now - (s.last_notified_at ?? now) >= config.renotifyMs) {
          toNotify.push({ state: s, kind: 'renotify', rule });
        } else resendToAlertmanager(s, rule, now);
      }
    }

    for (const n of toNotify) {
      const notification = notificationOf(n.state, n.kind, now);
      const targets = channelsFor(n.rule);
      if (targets.length > 0) await dispatcher.enqueue(notification, targets, now);
      for (const c of targets) if (c.config.kind === 'alertmanager') amPushed.set(`${n.state.id}\u0000${c.name}`, now);
      if (n.kind !== 'resolved') Object.assign(n.state, { notified: true, last_notified_at: now });
      if (n.kind === 'renotify') events.push({ state: n.state, kind: 'renotify' });
      if (!changed.includes(n.state)) changed.push(n.state);
      report.notifications++;
    }
    // Deliveries are persisted before states: a crash in between re-sends rather than loses a notification.
    // Nothing changed (most ticks): no store round trips.
    if (changed.length > 0) {
      await store.putAlertRecords('state', changed.map((s) => ({ project, id: s.id, updated_at: now, body: s as unknown as Record<string, unknown> })));
    }
    if (events.length > 0) await store.appendAlertEvents(events.map((e) => historyEvent(e.state, e.kind, now)));
  }

  function resendToAlertmanager(s: AlertState, rule: AlertRule, now: number): void {
    for (const c of channelsFor(rule)) {
      if (c.config.kind !== 'alertmanager') continue;
      const key = `${s.id}\u0000${c.name}`;
      if (now - (amPushed.get(key) ?? -Infinity) < c.config.resendMs) continue;
      amPushed.set(key, now);
      c.send(notificationOf(s, 'firing', now), now)
        .then((o) => o.status !== 'ok' && log(`alerts: resend to ${c.name} failed: ${o.error}`))
        .catch(() => undefined);
    }
  }

  async function tickOnce(now: number): Promise<TickReport> {
    const report: TickReport = { at: now, evaluated: 0, transitions: [], notifications: 0, deliveries: [] };
    for (const project of await store.listProjects()) {
      try {
        await evaluateProject(project, now, report);
      } catch (err) {
        log(`alerts: evaluating project ${project} failed: ${(err as Error).message}`);
      }
    }
    try {
      report.deliveries = await dispatcher.dispatchDue(now);
      for (const d of report.deliveries) if (d.status !== 'sent') log(`alerts: delivery to ${d.channel} ${d.status} (attempt ${d.attempts}): ${d.last_error}`);
    } catch (err) {
      log(`alerts: dispatching deliveries failed: ${(err as Error).message}`);
    }
    if (now - lastPrune > DAY) {
      lastPrune = now;
      await store.pruneAlertRecords('delivery', now - 30 * DAY).catch(() => undefined);
      await store.pruneAlertRecords('ack', now - 30 * DAY).catch(() => undefined);
    }
    deps.onTick?.(report);
    return report;
  }

  const engine: AlertEngine = {
    firingCount: () => [...states.values()].filter((st) => st.status === 'firing').length,
    channels,
    async start(opts = {}) {
      await engine.reload();
      if (opts.timer !== false && config.enabled) {
        timer = setInterval(() => {
          if (running === null) engine.tick().catch((err: Error) => log(`alerts: tick failed: ${err.message}`));
        }, config.intervalMs);
        timer.unref();
      }
    },
    async reload(opts = {}) {
      await idle();
      reloading = (async () => {
        await ruleSet.load();
        const [stateRecords, silenceRecords] = await Promise.all([store.listAlertRecords('state'), store.listAlertRecords('silence'), acks.load()]);
        states.clear();
        for (const r of stateRecords) {
          const s = r.body as unknown as AlertState;
          acks.apply(s);
          states.set(r.id, s);
        }
        silences.clear();
        for (const r of silenceRecords) silences.set(r.id, r.body as unknown as Silence);
        if (opts.deliveries !== false) await dispatcher.load();
      })();
      try {
        await reloading;
      } finally {
        reloading = null;
      }
    },
    async stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
    async tick(now = deps.clock()) {
      await idle();
      running = tickOnce(now);
      try {
        return await running;
      } finally {
        running = null;
      }
    },
    rules: (project) => ruleSet.forProject(project),
    putRule: (project, input, id) => ruleSet.put(project, input, deps.clock(), id),
    removeRule: (project, id) => ruleSet.remove(project, id),
    alerts: (project) =>
      [...states.values()].filter((s) => s.project === project && s.status !== 'ok').sort((a, b) => b.since - a.since || a.id.localeCompare(b.id)),
    async acknowledge(project, alertId, by) {
      const s = states.get(alertId);
      if (!s || s.project !== project) return null;
      const now = deps.clock();
      await acks.take(s, by, now);
      // A tick may have replaced the state object meanwhile (and, had it fired again, it stays unacknowledged).
      const current = states.get(alertId) ?? s;
      acks.apply(current);
      await store.appendAlertEvents([historyEvent(current, 'acknowledged', now)]);
      return current;
    },
    silences: (project) => projectSilences(project).sort((a, b) => b.created_at - a.created_at),
    async addSilence(input) {
      const now = deps.clock();
      const s: Silence = { ...input, id: randomUUID(), created_at: now };
      await store.putAlertRecords('silence', [{ project: s.project, id: s.id, updated_at: now, body: s as unknown as Record<string, unknown> }]);
      silences.set(s.id, s);
      return s;
    },
    async expireSilence(project, id) {
      const s = silences.get(id);
      if (!s || s.project !== project) return null;
      const now = deps.clock();
      const ended: Silence = { ...s, ends_at: Math.min(s.ends_at, now) };
      await store.putAlertRecords('silence', [{ project, id, updated_at: now, body: ended as unknown as Record<string, unknown> }]);
      silences.set(id, ended);
      return ended;
    },
    async deliveries(project) {
      const rows = await store.listAlertRecords('delivery', project);
      return rows.map((r) => r.body as unknown as Delivery).sort((a, b) => b.created_at - a.created_at);
    },
  };
  return engine;
}

/**
 * A step without a transition still persisted: streaks count evaluations across ticks, and the
 * next tick may run on another node (leader.ts) from the persisted state; a live alert's figures,
 * so every node's API shows the same. Other quiet steps (most of them) cost no write.
 */
function movedSince(prev: AlertState | undefined, s: AlertState): boolean {
  if (prev === undefined || prev.streak !== s.streak) return true;
  return (s.status === 'pending' || s.status === 'firing') && (prev.value !== s.value || prev.samples !== s.samples);
}

function historyEvent(s: AlertState, kind: string, at: number) {
  return {
    project: s.project,
    id: randomUUID(),
    at,
    alert_id: s.id,
    rule_id: s.rule_id,
    kind,
    body: {
      rule_name: s.rule_name,
      severity: s.severity,
      labels: s.labels,
      value: s.value,
      baseline: s.baseline?.mean ?? s.evidence?.baseline ?? null,
      band: s.band,
      threshold: s.threshold,
      samples: s.samples,
      fired_at: s.fired_at,
      resolved_at: s.resolved_at,
      acknowledged_by: s.acknowledged_by,
      evidence: s.evidence,
    } as Record<string, unknown>,
  };
}
