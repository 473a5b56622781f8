// The alert store slice of the Store contract: src/alert's documents and history (the store keeps
// them as JSON documents; src/alert owns their bodies) and the alert engine's two batched reads.
// Checked by alert-store.case.ts.

import type { Dimension } from '../model/span.js';
import type { RollupQuery, RollupRow, SpanFilter } from './span-store.js';

/**
 * rule: custom rules and built-in overrides; state: per rule × group (written only by the node that
 * evaluates); ack: acknowledgements, by alert (written by whichever node the API call reached);
 * silence; delivery: notification attempts; incident: alerts grouped by cause (src/alert/incident.ts);
 * budget: spend budgets created through the API (src/alert/budget.ts).
 */
export type AlertRecordKind = 'rule' | 'state' | 'ack' | 'silence' | 'delivery' | 'incident' | 'budget';

export interface AlertRecord {
  project: string;
  id: string;
  updated_at: number;
  /** JSON-serialisable document whose shape src/alert defines. */
  body: Record<string, unknown>;
}

export interface AlertEventRecord {
  project: string;
  id: string;
  at: number;
  /** The alert (rule × group) the event belongs to. */
  alert_id: string;
  rule_id: string;
  /** pending, firing, resolved, renotify, acknowledged, … */
  kind: string;
  body: Record<string, unknown>;
}

export interface AlertEventQuery {
  project: string;
  from?: number;
  to?: number;
  alert_id?: string;
  rule_id?: string;
  limit: number;
}

/**
 * Spend per end user (span user_id) per bucket, read from raw spans: rollups have no user
 * dimension (users are unbounded; a rollup key per user would multiply every rollup table).
 * `groupBy` starts with 'user' and may add dimensions; only spans with a user_id count.
 */
export interface UserRollupQuery {
  project: string;
  from: number;
  to: number;
  /** 60,000 (minutes) or 3,600,000 (hours). */
  bucketMs: number;
  groupBy: ('user' | Dimension)[];
  filter: SpanFilter;
  /** Per bucket, only the `limit` groups with the highest cost (ties by group values). */
  limit: number;
}

export interface AlertStore {
  /** Upserts documents of one kind by (project, id). */
  putAlertRecords(kind: AlertRecordKind, records: AlertRecord[]): Promise<void>;
  /** Documents of one kind, of one project or all, ordered by project then id. */
  listAlertRecords(kind: AlertRecordKind, project?: string): Promise<AlertRecord[]>;
  /** Removes one document; false when there was none. */
  deleteAlertRecord(kind: AlertRecordKind, project: string, id: string): Promise<boolean>;
  /** Removes documents of one kind last updated before `before` (ms); returns how many. */
  pruneAlertRecords(kind: AlertRecordKind, before: number): Promise<number>;
  /** Appends to the alert history (append-only; ids are unique). */
  appendAlertEvents(events: AlertEventRecord[]): Promise<void>;
  /** History newest first. */
  listAlertEvents(q: AlertEventQuery): Promise<AlertEventRecord[]>;
  /**
   * The alert engine's rollup reads of one tick, answered together. Result i holds the figures of
   * `rollup(queries[i])` in no particular order and, where bucketMs is 60,000 or 3,600,000 (not
   * collapsed), possibly split: several rows may share a bucket and group, and summed they give
   * rollup()'s row. The engine sums rows anyway; this spares DuckDB the sort and the aggregate.
   * @example const [minutes, hours] = await store.alertRollups([minuteQuery, hourQuery]);
   */
  alertRollups(queries: RollupQuery[]): Promise<RollupRow[][]>;
  /**
   * Per-user figures for the alert engine (per-user spend rules), one result per query: rows as
   * RollupRow with group = the query's groupBy values and latency_hist empty, ordered by bucket,
   * then cost descending, then group. Reads raw spans in [from, to).
   * @example const [rows] = await store.userRollups([{ project, from, to, bucketMs: 60_000, groupBy: ['user'], filter: {}, limit: 1000 }]);
   */
  userRollups(queries: UserRollupQuery[]): Promise<RollupRow[][]>;
}
