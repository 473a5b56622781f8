// The telemetry doctor: reads one project's spans in a range through the store's doctorScan and
// tells, per source, what its instrumentation leaves out and how to fix it. A plain function
// returning a plain value, so the HTTP route, the CLI (through the route) and an MCP tool share it.

import type { DoctorFigures, DoctorReads, DoctorSourceKey } from '../../store/doctor-reads.js';
import { findingsOf } from './findings.js';
import type { DoctorReport } from './report-types.js';
import { sourceLabel, toSource } from './sources.js';

export interface DoctorRequest {
  project: string;
  from: number;
  to: number;
  /** Server clock, ms. */
  now: number;
  /** A span whose parent has not arrived this long after it was ingested is an orphan. */
  graceMs: number;
  /** Most models without a price and unread attribute names listed (default 20). */
  limit?: number;
}

/** Parents usually arrive within seconds of their children (they end last); a minute covers batching exporters. */
export const DEFAULT_GRACE_MS = 60_000;

/**
 * @example const report = await diagnose(store, { project: 'default', from: now - 86_400_000, to: now, now, graceMs: DEFAULT_GRACE_MS });
 */
export async function diagnose(store: DoctorReads, req: DoctorRequest): Promise<DoctorReport> {
  const figures = await store.doctorScan({
    project: req.project,
    from: req.from,
    to: req.to,
    orphanIngestedBefore: req.now - req.graceMs,
    limit: req.limit ?? 20,
  });
  return reportOf(figures, req);
}

const keyOf = (k: DoctorSourceKey): string => JSON.stringify([k.service, k.scope, k.scope_version, k.sdk, k.sdk_version]);

/** The report from figures already read. */
export function reportOf(figures: DoctorFigures, req: DoctorRequest): DoctorReport {
  const sources = figures.sources.map(toSource);
  const transport = new Map(figures.sources.map((r, i) => [keyOf(r), sources[i]!.transport]));
  // Both lists come from the same spans, so every unread row's source is among the sources.
  const unread = figures.unread_attributes.map((r) => ({
    source: sourceLabel(r, transport.get(keyOf(r)) ?? 'otlp'),
    attribute: r.attribute,
    spans: r.spans,
  }));
  return {
    project: req.project,
    from: req.from,
    to: req.to,
    grace_ms: req.graceMs,
    sources,
    findings: findingsOf(sources, figures.unpriced_models, unread, req.graceMs),
    unpriced_models: figures.unpriced_models,
    unread_attributes: unread,
    orphans: { total: sources.reduce((n, s) => n + s.orphans, 0), examples: figures.orphan_examples },
  };
}
