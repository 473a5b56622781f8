// Pre-serialised request bodies for the load generator. Events are generated and turned into
// JSON bytes once; each send copies a template and writes an 8-hex send number over the marks in
// its ids, so every event of a run has a unique (trace_id, span_id) — trace ids also start with
// the run nonce — at almost no CPU. Joining ~2,000 string pieces and encoding the 423 KB result
// took the client ~7 ms a send: at 400 connections on the server's 2 cores, the client used the
// CPU the server was being measured with.

import { createFleet } from './fleet.js';
import { hex32 } from './random.js';
import { simulate } from './simulate.js';
import type { SimEvent } from './trace.js';

/** Stands for the send number in a template; cannot occur in generated names or hex ids. */
const MARK = 'MMMMMMMM';

export interface LoadPoolOptions {
  /** 8 hex digits that start every trace id of this run. */
  nonce: string;
  /** Events per request body. */
  batch: number;
  /** Distinct bodies to cycle through. */
  templates: number;
  seed: number;
  agents: number;
  /** Event timestamps end here (epoch ms). */
  now: number;
}

export interface LoadPool {
  batch: number;
  /** Body of send number `seq` (0-based), UTF-8 JSON; unique ids for every seq < 2^32. A new Buffer each call. */
  body(seq: number): Buffer;
  templates: number;
}

/**
 * Builds `templates` bodies of exactly `batch` events each: whole traces, the last one cut to
 * fit (a prefix of a trace in pre-order keeps every parent).
 */
export function createLoadPool(options: LoadPoolOptions): LoadPool {
  if (!/^[0-9a-f]{8}$/.test(options.nonce)) throw new RangeError(`nonce must be 8 hex digits, got '${options.nonce}'`);
  const fleet = createFleet({ seed: options.seed, agents: options.agents, tracesPerMinutePerAgent: 600, seasonalityAmplitude: 0 });
  const needed = options.batch * options.templates;
  // ~6 events per trace at 600 traces/min/agent; generate a window long enough, ending now.
  const windowMs = Math.ceil(needed / (6 * 10 * options.agents) / 0.8) * 1000 + 60_000;
  const traces = simulate(fleet, { from: options.now - windowMs, to: options.now })[Symbol.iterator]();
  const templates: { bytes: Buffer; marks: number[] }[] = [];
  for (let t = 0; t < options.templates; t++) {
    const events: SimEvent[] = [];
    while (events.length < options.batch) {
      const next = traces.next();
      if (next.done === true) throw new Error('load pool: simulated window too short (bug)');
      for (const event of next.value.slice(0, options.batch - events.length)) events.push(event);
    }
    const bytes = Buffer.from(JSON.stringify(markIds(events, options.nonce)));
    const marks: number[] = [];
    for (let at = bytes.indexOf(MARK); at !== -1; at = bytes.indexOf(MARK, at + MARK.length)) marks.push(at);
    templates.push({ bytes, marks });
  }
  return {
    batch: options.batch,
    templates: options.templates,
    body(seq) {
      const { bytes, marks } = templates[seq % templates.length]!;
      const out = Buffer.allocUnsafe(bytes.length);
      bytes.copy(out);
      const hex = Buffer.from(hex32(seq), 'latin1');
      for (const at of marks) for (let i = 0; i < MARK.length; i++) out[at + i] = hex[i]!;
      return out;
    },
  };
}

/** trace_id = nonce + MARK + the unique half of the original; span_id = MARK + index in the template. */
function markIds(events: readonly SimEvent[], nonce: string): SimEvent[] {
  const spanIds = new Map<string, string>();
  events.forEach((event, i) => spanIds.set(event.span_id, MARK + hex32(i)));
  return events.map((event) => ({
    ...event,
    trace_id: nonce + MARK + event.trace_id.slice(0, 16),
    span_id: spanIds.get(event.span_id)!,
    parent_span_id: event.parent_span_id === null ? null : (spanIds.get(event.parent_span_id) ?? null),
  }));
}
