// The /metrics registry: Sightline's health and the agents' business metrics in one Prometheus
// text exposition. A project's read key sees its own project's agent series; the scrape token and
// the instance admin see every project and the instance-wide health series.

import { Registry } from 'prom-client';
import type { Span } from '../../model/span.js';
import { createAgentMetrics, type AgentMetricsOptions } from './agent-metrics.js';
import { createHealthMetrics, type HealthMetrics, type HealthSources } from './health-metrics.js';
import type { Score } from '../../model/score.js';
import { createScoreMetrics } from './score-metrics.js';

export interface SightlineMetrics {
  readonly health: HealthMetrics;
  /** Hooked to the group commit: counts the batch and records each span's business metrics. */
  onCommit(spans: readonly Span[], commitMs: number): void;
  /**
   * Prometheus text format; `project` keeps only that project's agent series and drops the
   * instance-wide health series (null: everything, for the scrape token and the instance admin).
   */
  render(project: string | null): Promise<string>;
  /** Counts accepted scores and adds up their numbers (score-metrics.ts). */
  onScores(scores: readonly Score[]): void;
  readonly contentType: string;
  /** Spans committed per second over the last minute (all projects). */
  ingestRate(): number;
  /** Alerts firing now, or null when no alert engine reports to this registry. */
  firingAlerts(): number | null;
}

/**
 * @example
 * const metrics = createSightlineMetrics({ maxSeries: 1000, decisionLabel: false }, sources);
 * createGroupCommit(store, { …, onCommit: (spans, ms) => metrics.onCommit(spans, ms) });
 */
export function createSightlineMetrics(opts: AgentMetricsOptions, sources: HealthSources, clock?: () => number): SightlineMetrics {
  const registry = new Registry();
  const health = createHealthMetrics(registry, sources, clock);
  const agents = createAgentMetrics(registry, opts);
  const now = clock ?? Date.now;
  const lastMinute = createSecondCounter(60, now);
  const scores = createScoreMetrics(registry, opts.maxSeries);
  return {
    onScores: (list) => scores.record(list),
    health,
    onCommit(spans, commitMs) {
      health.committed(spans.length, commitMs);
      agents.record(spans);
      lastMinute.add(spans.length);
    },
    ingestRate: () => lastMinute.sum() / 60,
    firingAlerts: () => sources.firingAlerts?.() ?? null,
    async render(project) {
      const text = await registry.metrics();
      return project === null ? text : onlyProject(text, project);
    },
    contentType: registry.contentType,
  };
}

/**
 * The value of label `name` in one sample line of the text format, or undefined when the sample
 * has no such label. Reads the label set pair by pair, honouring escapes, so a label value that
 * merely looks like `project="x"` never counts.
 */
export function labelValue(line: string, name: string): string | undefined {
  let i = line.indexOf('{');
  if (i < 0) return undefined;
  i++;
  while (i < line.length && line[i] !== '}') {
    const eq = line.indexOf('="', i);
    if (eq < 0) return undefined;
    const label = line.slice(i, eq).replace(/^,/, '');
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        j++;
        value += line[j] === 'n' ? '\n' : line[j];
      } else value += line[j];
    }
    if (label === name) return value;
    i = j + 1;
    if (line[i] === ',') i++;
  }
  return undefined;
}

/**
 * Keeps the samples labelled with `project`: those of other projects and the instance-wide ones
 * (no project label: ingest totals, HTTP counts, store size) go, with their HELP and TYPE lines.
 */
export function onlyProject(text: string, project: string): string {
  const out: string[] = [];
  let header: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      if (line.startsWith('# HELP')) header = [];
      header.push(line);
    } else if (line !== '' && labelValue(line, 'project') === project) {
      out.push(...header, line);
      header = [];
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** Counts per second over a sliding window of `seconds` (a ring of per-second slots). */
function createSecondCounter(seconds: number, clock: () => number): { add(n: number): void; sum(): number } {
  const slots = new Array<number>(seconds).fill(0);
  const slotSecond = new Array<number>(seconds).fill(-1);
  return {
    add(n) {
      const s = Math.floor(clock() / 1000);
      const i = s % seconds;
      if (slotSecond[i] !== s) {
        slotSecond[i] = s;
        slots[i] = 0;
      }
      slots[i]! += n;
    },
    sum() {
      const s = Math.floor(clock() / 1000);
      let total = 0;
      for (let i = 0; i < seconds; i++) if (s - slotSecond[i]! < seconds) total += slots[i]!;
      return total;
    },
  };
}
