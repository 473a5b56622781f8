// Screening of a large native body off the event loop (in the decode worker): decode it and
// validate every event there, so what crosses back to the server's thread is the valid events and,
// for each invalid one, a stand-in carrying its problems already bounded (problem-list.ts) — never
// the megabytes of a hostile event. The pipeline validates the valid events again on the server's
// thread (cheap: they are valid) and takes each stand-in's problems as they are.

import type { FieldProblem } from '../model/errors.js';
import type { IngestLimits } from '../model/limits.js';
import { validateEvent } from '../model/validate-event.js';
import { UndecodableEvent, decodeEventsBody, type DecodedBody } from './decode-body.js';
import { createProblemList } from './problem-list.js';

/** Stands in for an event rejected while screening; the pipeline rejects it with these problems. */
export class RejectedEvent {
  constructor(
    /** Its problems as the pipeline keeps them (clipped; the first always, the rest within the request's budget). */
    readonly problems: FieldProblem[],
    /** Its problems counted but not kept. */
    readonly omitted: number,
  ) {}
}

export interface ScreenContext {
  project: string;
  /** The server clock the pipeline will validate with too (timestamps are checked against it). */
  now: number;
}

/**
 * A structured clone keeps neither class: their positions travel beside the events, and
 * reviveStandIns builds them again on the receiving side.
 */
export interface StandIns {
  undecodable: number[];
  rejected: number[];
}

/** Decodes `body` and replaces each invalid event by a RejectedEvent. */
export function decodeAndScreenEvents(
  body: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  limits: IngestLimits,
  ctx: ScreenContext,
): DecodedBody {
  const decoded = decodeEventsBody(body, contentType, contentEncoding, limits);
  if (!decoded.ok) return decoded;
  const problems = createProblemList();
  const validateCtx = { project: ctx.project, now: ctx.now, limits };
  const events = decoded.events.map((raw, index) => {
    if (raw instanceof UndecodableEvent) return raw;
    const result = validateEvent(raw, index, validateCtx);
    if (result.ok) return raw;
    const [kept, omitted] = [problems.kept.length, problems.omitted()];
    problems.add(result.problems);
    return new RejectedEvent(problems.kept.slice(kept), problems.omitted() - omitted);
  });
  return { ok: true, events };
}

export function standInsOf(events: readonly unknown[]): StandIns {
  const out: StandIns = { undecodable: [], rejected: [] };
  events.forEach((e, i) => {
    if (e instanceof UndecodableEvent) out.undecodable.push(i);
    else if (e instanceof RejectedEvent) out.rejected.push(i);
  });
  return out;
}

export function reviveStandIns(events: unknown[], standIns: StandIns): void {
  for (const i of standIns.undecodable) {
    const e = events[i] as { line: number; reason: string };
    events[i] = new UndecodableEvent(e.line, e.reason);
  }
  for (const i of standIns.rejected) {
    const e = events[i] as { problems: FieldProblem[]; omitted: number };
    events[i] = new RejectedEvent(e.problems, e.omitted);
  }
}
