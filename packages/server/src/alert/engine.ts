// The alert engine: on every tick (default 30 s, injected clock) it evaluates each project's rules
// over rollups read through the Store, steps each alert's state machine, persists states and
// history, and queues one notification per firing / resolution (plus re-notifications) to channels.

import { createHash, randomUUID } from 'node:crypto';
import type { AlertStore } from '../store/alert-store.js';
import type { Catalog } from '../store/catalog.js';
import type { InsightStore } from '../store/insight-store.js';
import type { ScoreStore } from '../store/score-store.js';
import type { SpanStore } from '../store/span-store.js';
import { createAcknowledgements } from './acknowledgements.js';
import type { AlertsConfig } from './config.js';
import { baselineRange, createBaselineCache, evaluateRule } from './evaluate-rule.js';
import type { BaselineStats, Labels } from './figures.js';
import type { Verdict } from './judge.js';
import { buildEvidence } from './evidence.js';
import { createBucketTotals, sumGroups } from './bucket-totals.js';
import type { BudgetPut, BudgetRemoval, BudgetEntry, BudgetStatus } from './budgets.js';
import { createBudgetWatch } from './budgets.js';
import type { Budget } from './budget.js';
import { createChannel, type Channel } from './notify/channels.js';
import { createDispatcher, type Delivery } from './notify/deliveries.js';
import type { AlertNotification, IncidentPart, NotificationKind } from './notify/notification.js';
import { createRollupWindowReader, planReads, type RollupWindow } from './rollup-window.js';
import { createRuleSet, type RuleEntry, type RuleRemoval } from './rule-set.js';
import { activeMembers, type Incident } from './incident.js';
import { createIncidentBook } from './incidents.js';
import { formatMetric } from '@sightline/api';
import type { AlertRule, RuleParse } from './rule.js';
import type { Silence } from './silences.js';
import { step, type AlertState, type CorrelatedFinding, type Transition } from './state-machine.js';
import { isScoreRule, scoreVerdicts } from './score-alerts.js';

export interface AlertEngineDeps {
  /** InsightStore: budgets on an attribute value read spend from the cohort figures; ScoreStore: score rules. */
  store: AlertStore & Catalog & SpanStore & InsightStore & ScoreStore;
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
  /** Incidents of the project, open first, newest first. */
  incidents(project: string): Incident[];
  acknowledgeIncident(project: string, id: string, by: string): Promise<Incident | null>;
  /** A silence of one incident until `ends_at`. */
  silenceIncident(project: string, id: string, s: { ends_at: number; created_by: string; comment: string }): Promise<Silence | null>;
  /** Budgets in force (config and API). */
  budgets(project: string): BudgetEntry[];
  putBudget(project: string, input: unknown, id?: string): Promise<BudgetPut>;
  removeBudget(project: string, id: string): Promise<BudgetRemoval>;
  /** Spend so far and the forecast of one budget at `now` (default: the clock). */
  budgetStatus(project: string, budget: Budget, now?: number): Promise<BudgetStatus>;
  /** Alerts firing now, across projects. */
  firingCount(): number;
  /** Incidents open now, across projects. */
  openIncidentCount(): number;
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
  const budgetWatch = createBudgetWatch(store, config);
  const reader = createRollupWindowReader(store, config.lateMs);
  const bucketTotals = createBucketTotals();
  const baselines = createBaselineCache(bucketTotals, config.lateMs);
  const states = new Map<string, AlertState>();
  const silences = new Map<string, Silence>();
  /** Acknowledgements, joined with the states they belong to (only the evaluating node writes states). */
  const acks = createAcknowledgements(store);
  const book = createIncidentBook(config);
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

  function incidentPart(inc: Incident, joined: string[], left: string[], previousScope: Incident['scope'] | undefined): IncidentPart {
    const members = inc.status === 'open' ? activeMembers(inc) : inc.members.filter((m) => inc.notified_alerts.includes(m.alert_id) || m.left_at === inc.resolved_at);
    return {
      id: inc.id,
      title: inc.title,
      explanation: inc.explanation,
      scope: inc.scope,
      cause: inc.cause,
      opened_at: inc.opened_at,
      alerts: members.map((m) => ({
        alert_id: m.alert_id,
        rule_id: m.rule_id,
        rule_name: m.rule_name,
        labels: m.labels,
        status: m.status,
        value: formatMetric(m.metric, m.value),
        baseline: formatMetric(m.metric, m.baseline),
      })),
      joined,
      left,
      ...(previousScope ? { previous_scope: previousScope } : {}),
    };
  }

  /** One incident's notification; its top-level alert fields are the lead alert's. */
  function notificationOf(inc: Incident, kind: NotificationKind, now: number, joined: string[] = [], left: string[] = [], previousScope?: Incident['scope']): AlertNotification {
    const lead = inc.members.find((m) => m.alert_id === inc.lead_alert_id) ?? inc.members[0]!;
    const path = inc.evidence?.dashboard_url ?? '/';
    const resolved = kind === 'resolved';
    return {
      kind,
      alert_id: inc.lead_alert_id,
      project: inc.project,
      rule_id: inc.lead_rule_id,
      rule_name: lead.rule_name,
      severity: inc.severity,
      status: resolved ? 'resolved' : 'firing',
      labels: inc.scope,
      summary: resolved ? `Resolved: ${inc.title}` : inc.title,
      fired_at: inc.opened_at,
      resolved_at: inc.resolved_at,
      at: now,
      evidence: inc.evidence,
      url: config.publicUrl ? `${config.publicUrl.replace(/\/$/, '')}${path}` : path,
      incident_id: inc.id,
      incident: incidentPart(inc, joined, left, previousScope),
    };
  }

  async function evaluateProject(project: string, now: number, report: TickReport): Promise<void> {
    const entries = ruleSet.forProject(project).filter((e) => e.rule.enabled);
    const due = entries.filter((e) => {
      const last = lastEvaluated.get(`${project}\u0000${e.rule.id}`);
      return last === undefined || e.rule.intervalMs === 0 || now - last >= e.rule.intervalMs || now < last;
    });
    // Budgets are judged every budgetIntervalMs (null: not due); rules every tick they are due.
    const budgetSteps = await budgetWatch.evaluate(project, now, states, (ruleId, groupKey) => alertIdFor(project, ruleId, groupKey));
    if (due.length === 0 && budgetSteps === null) return;
    // Plans from every enabled rule (not just the due ones), so their shape and caches stay put
    // between ticks; only plans with a due rule are read.
    // Score rules read scores (score-alerts.ts), not span rollups.
    const plans = planReads(entries.map((e) => e.rule).filter((r) => !isScoreRule(r)));
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
    const silenceList = projectSilences(project);
    book.retainViews(project, new Set(entries.map((e) => e.rule.id)));

    for (const { rule } of due) {
      lastEvaluated.set(`${project}\u0000${rule.id}`, now);
      report.evaluated++;
      const live = new Map<string, { labels: Labels; frozen: BaselineStats | null }>();
      for (const s of states.values()) {
        if (s.project === project && s.rule_id === rule.id && (s.status === 'pending' || s.status === 'firing')) {
          live.set(s.group_key, { labels: s.labels, frozen: s.baseline });
        }
      }
      let verdicts: { groupKey: string; labels: Labels; verdict: Verdict; baseline: BaselineStats | null; judged?: boolean; text?: string }[];
      if (isScoreRule(rule)) {
        verdicts = await scoreVerdicts(store, project, rule, now, new Map([...live].map(([k, v]) => [k, v.frozen])));
      } else {
        const win = windows.get(rule.id)!;
        const perMinute = bucketTotals(`${project}\u0000${rule.id}\u0000minute`, rule, win.minuteBuckets, now - rule.windowMs, now);
        verdicts = evaluateRule(rule, sumGroups(perMinute.values()), baselines(project, rule, win, now), live);
      }
      book.setView(project, {
        rule,
        groups: verdicts.map((g) => ({
          labels: g.labels,
          breach: g.verdict.breach,
          judged:
            g.judged ??
            (g.verdict.samples >= rule.minSamples && (g.baseline === null ? rule.condition.type === 'new_value' || rule.condition.type === 'above' || rule.condition.type === 'below' : g.baseline.samples >= rule.minBaselineSamples)),
        })),
      });
      for (const g of verdicts) {
        const id = alertIdFor(project, rule.id, g.groupKey);
        const prev = states.get(id);
        if (!prev && !g.verdict.breach) continue;
        const { state, transition } = step(prev, { id, project, rule, labels: g.labels, groupKey: g.groupKey, verdict: g.verdict, baseline: g.baseline, now });
        // A rule that words its alerts itself (score rules): the words of the current figures while live.
        if (g.text !== undefined && (state.status === 'pending' || state.status === 'firing')) state.summary = g.text;
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
      }
    }

    for (const { state, transition } of budgetSteps ?? []) {
      const prev = states.get(state.id);
      acks.apply(state);
      states.set(state.id, state);
      if (transition === null) {
        if (prev === undefined || prev.value !== state.value || prev.streak !== state.streak || prev.summary !== state.summary) changed.push(state);
        continue;
      }
      changed.push(state);
      report.transitions.push({ alert_id: state.id, rule_id: state.rule_id, labels: state.labels, transition });
      if (HISTORY_KINDS.has(transition)) events.push({ state, kind: transition });
    }

    // Alerts that fire together for one cause are one incident, notified once (incidents.ts).
    const scopes = new Map([...book.incidents.values()].filter((i) => i.project === project).map((i) => [i.id, { ...i.scope }]));
    const ruleOf = (id: string) => entries.find((e) => e.rule.id === id)?.rule;
    const grouped = book.step(project, now, states, silenceList, ruleOf);
    const incidentEvents = grouped.events.map((e) => incidentEvent(e.incident, e.kind, now));
    for (const n of grouped.notify) {
      const inc = n.incident;
      const before = scopes.get(inc.id);
      const widened = before !== undefined && JSON.stringify(before) !== JSON.stringify(inc.scope) ? before : undefined;
      const notification = notificationOf(inc, n.kind, now, n.joined, n.left, widened);
      const targets = incidentChannels(inc, ruleOf);
      if (targets.length > 0) await dispatcher.enqueue(notification, targets, now);
      for (const c of targets) if (c.config.kind === 'alertmanager') amPushed.set(`${inc.id}\u0000${c.name}`, now);
      // Member alerts show as notified once their incident was.
      for (const m of activeMembers(inc)) {
        const s = states.get(m.alert_id);
        if (!s || n.kind === 'resolved') continue;
        Object.assign(s, { notified: true, last_notified_at: now });
        if (!changed.includes(s)) changed.push(s);
      }
      if (n.kind === 'renotify') for (const m of activeMembers(inc)) if (states.has(m.alert_id)) events.push({ state: states.get(m.alert_id)!, kind: 'renotify' });
      report.notifications++;
    }
    const notified = new Set(grouped.notify.map((n) => n.incident));
    for (const inc of book.incidents.values()) {
      if (inc.project === project && inc.status === 'open' && inc.notified && !notified.has(inc)) resendToAlertmanager(inc, ruleOf, now);
    }
    // Deliveries are persisted before states: a crash in between re-sends rather than loses a notification.
    // Nothing changed (most ticks): no store round trips.
    if (changed.length > 0) {
      await store.putAlertRecords('state', changed.map((s) => ({ project, id: s.id, updated_at: now, body: s as unknown as Record<string, unknown> })));
    }
    if (grouped.changed.length > 0) {
      await store.putAlertRecords('incident', grouped.changed.map((i) => ({ project, id: i.id, updated_at: now, body: i as unknown as Record<string, unknown> })));
    }
    if (events.length > 0 || incidentEvents.length > 0) await store.appendAlertEvents([...events.map((e) => historyEvent(e.state, e.kind, now)), ...incidentEvents]);
  }

  /** Every channel of any member's rule. */
  function incidentChannels(inc: Incident, ruleOf: (id: string) => AlertRule | undefined): Channel[] {
    const out = new Map<string, Channel>();
    for (const ruleId of new Set(inc.members.map((m) => m.rule_id))) {
      const rule = ruleOf(ruleId);
      const budgetChannels = budgetWatch.channelsOf(inc.project, ruleId);
      const chosen = rule ? channelsFor(rule) : budgetChannels ? budgetChannels.flatMap((n) => (channels.has(n) ? [channels.get(n)!] : [])) : [...channels.values()];
      for (const c of chosen) out.set(c.name, c);
    }
    return [...out.values()];
  }

  function resendToAlertmanager(inc: Incident, ruleOf: (id: string) => AlertRule | undefined, now: number): void {
    for (const c of incidentChannels(inc, ruleOf)) {
      if (c.config.kind !== 'alertmanager') continue;
      const key = `${inc.id}\u0000${c.name}`;
      if (now - (amPushed.get(key) ?? -Infinity) < c.config.resendMs) continue;
      amPushed.set(key, now);
      c.send(notificationOf(inc, 'firing', now), now)
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
      // Resolved incidents are kept 30 days, like deliveries (open ones however long they last).
      for (const inc of [...book.incidents.values()]) {
        if (inc.status !== 'resolved' || (inc.resolved_at ?? now) >= now - 30 * DAY) continue;
        await store.deleteAlertRecord('incident', inc.project, inc.id).then(() => book.incidents.delete(inc.id)).catch(() => undefined);
      }
    }
    deps.onTick?.(report);
    return report;
  }

  const engine: AlertEngine = {
    firingCount: () => [...states.values()].filter((st) => st.status === 'firing').length,
    openIncidentCount: () => [...book.incidents.values()].filter((i) => i.status === 'open').length,
    incidents: (project) =>
      [...book.incidents.values()]
        .filter((i) => i.project === project)
        .sort((a, b) => Number(b.status === 'open') - Number(a.status === 'open') || b.opened_at - a.opened_at || a.id.localeCompare(b.id)),
    async acknowledgeIncident(project, id, by) {
      const inc = book.incidents.get(id);
      if (!inc || inc.project !== project) return null;
      const now = deps.clock();
      await acks.take(inc, by, now);
      const current = book.incidents.get(id) ?? inc;
      acks.apply(current);
      await store.appendAlertEvents([incidentEvent(current, 'incident_acknowledged', now)]);
      return current;
    },
    async silenceIncident(project, id, input) {
      const inc = book.incidents.get(id);
      if (!inc || inc.project !== project) return null;
      return engine.addSilence({ project, incident_id: id, matchers: {}, starts_at: deps.clock(), ...input });
    },
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
        await budgetWatch.load();
        const [stateRecords, silenceRecords, incidentRecords] = await Promise.all([
          store.listAlertRecords('state'),
          store.listAlertRecords('silence'),
          store.listAlertRecords('incident'),
          acks.load(),
        ]);
        book.replace(incidentRecords.map((r) => {
          const inc = r.body as unknown as Incident;
          acks.apply(inc);
          return inc;
        }));
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
    budgets: (project) => budgetWatch.forProject(project),
    putBudget: (project, input, id) => budgetWatch.put(project, input, deps.clock(), id),
    removeBudget: (project, id) => budgetWatch.remove(project, id),
    budgetStatus: (project, budget, now = deps.clock()) => budgetWatch.status(project, budget, now),
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

/** Incident history shares the alert history; rule_id 'incident' tells its events apart. */
export const INCIDENT_RULE_ID = 'incident';

function incidentEvent(inc: Incident, kind: string, at: number) {
  return {
    project: inc.project,
    id: randomUUID(),
    at,
    alert_id: inc.id,
    rule_id: INCIDENT_RULE_ID,
    kind,
    body: {
      title: inc.title,
      explanation: inc.explanation,
      severity: inc.severity,
      scope: inc.scope,
      cause: inc.cause,
      lead_rule_id: inc.lead_rule_id,
      alerts: activeMembers(inc).map((m) => m.alert_id),
      opened_at: inc.opened_at,
      resolved_at: inc.resolved_at,
      acknowledged_by: inc.acknowledged_by,
    } as Record<string, unknown>,
  };
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
