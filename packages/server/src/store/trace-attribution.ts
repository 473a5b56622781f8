// Attribution through the trace: a span takes agent, session and user from its nearest ancestor
// that names them (an OTel `invoke_agent support` span names agent `support` for its `chat` and
// `execute_tool` children, `gen_ai.conversation.id` on one span is the session of its subtree),
// and a `decision` span that repeats its parent's decision is the same decision, counted once.
//
// Children usually end, and so arrive, before their parents, often in other requests. This keeps
// a bounded index of recently committed spans: a span whose ancestor is already known is stored
// attributed; spans stored before their ancestor arrived are revised (Store.reviseSpans, which
// also moves their rollup figures) when it commits, if they are still in the index: added at most
// `windowMs` earlier and among the newest `maxSpans`. Later, they keep what they were stored with.

import type { Span, SpanType } from '../model/span.js';
import { REPEATED_DECISION_ATTRIBUTE, type SpanRevision } from './store.js';

export interface TraceAttributionOptions {
  /** How long a committed span can still be attributed by an ancestor arriving after it (ms of `clock`). */
  windowMs: number;
  /** Spans remembered at most (the oldest are forgotten first): bounds memory at ~300 B a span. */
  maxSpans: number;
  clock: () => number;
}

export const DEFAULT_ATTRIBUTION: Omit<TraceAttributionOptions, 'clock'> = { windowMs: 60_000, maxSpans: 200_000 };

/** What one span names itself (null: nothing) and what it is stored with. */
interface TraceNode {
  key: string;
  parentKey: string | null;
  project: string;
  trace_id: string;
  span_id: string;
  timestamp: number;
  span_type: SpanType;
  ownAgent: string | null;
  /** The agent_id sent: kept when no ancestor names an agent. */
  fallbackAgent: string;
  ownSession: string | null;
  ownUser: string | null;
  ownDecision: string | null;
  /** As stored (or being stored). */
  agent: string;
  session: string | null;
  user: string | null;
  decision: string | null;
  committed: boolean;
  addedAt: number;
}

interface Attribution {
  agent: string;
  session: string | null;
  user: string | null;
  decision: string | null;
}

/** Deepest ancestor chain followed (guards against cycles in bad input). */
const MAX_DEPTH = 256;

/**
 * Spans handled between two returns to the event loop. A 20,000-span batch took 0.4-2 s of one
 * synchronous stretch on a busy 2-core machine, during which /api/health and every other request
 * waited (bench:hostile, 400 connections); slices of 2,000 keep each stretch to tens of ms.
 */
const SLICE = 2_000;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const keyOf = (project: string, traceId: string, spanId: string) => `${project}\u0000${traceId}\u0000${spanId}`;

/**
 * Whether no ancestor can change what a span is stored with: it names its agent, session and user
 * itself, and it is not a decision that could repeat its parent's. Such spans (every span of an SDK
 * that sets all three) are remembered as ancestors only, never indexed as children to revise, and
 * they end the search for descendants to revise: below them nothing depends on what is above.
 * At 400 connections sending 1,000-span batches the index and its child sets were ~5 s of the event
 * loop in a 20 s run.
 */
const settled = (node: TraceNode): boolean =>
  node.ownAgent !== null && node.ownSession !== null && node.ownUser !== null && (node.span_type !== 'decision' || node.ownDecision === null);

export interface TraceAttribution {
  /**
   * Before a batch is appended: remembers its spans and sets, on each, the agent (when a fallback),
   * session and user (when absent) of its nearest known ancestor naming them, and clears the
   * decision of a decision span repeating its parent's (kept as an attribute).
   */
  prepare(spans: Span[]): Promise<void>;
  /** After the batch committed: revisions, per project, of earlier committed spans it attributes. */
  committed(spans: readonly Span[]): Promise<Map<string, SpanRevision[]>>;
  /** After the batch failed: forgets its spans (a retry brings them again). */
  failed(spans: readonly Span[]): void;
  /** Spans remembered. */
  size(): number;
}

export function createTraceAttribution(opts: TraceAttributionOptions): TraceAttribution {
  /** In insertion order, so the oldest are first to go. */
  const nodes = new Map<string, TraceNode>();
  /** Parent key → keys of children seen (the parent itself may not have arrived). */
  const children = new Map<string, Set<string>>();

  const forget = (node: TraceNode) => {
    nodes.delete(node.key);
    if (node.parentKey === null) return;
    const siblings = children.get(node.parentKey);
    siblings?.delete(node.key);
    if (siblings?.size === 0) children.delete(node.parentKey);
  };

  /** The nodes of each batch prepared and not yet committed or failed: committed() builds no key again. */
  const prepared = new WeakMap<readonly Span[], TraceNode[]>();

  const evict = () => {
    const oldest = opts.clock() - opts.windowMs;
    for (const node of nodes.values()) {
      if (nodes.size <= opts.maxSpans && node.addedAt >= oldest) break;
      forget(node);
    }
  };

  /** The attribution a node should have from itself and its known ancestors. */
  const attributionOf = (node: TraceNode): Attribution => {
    let agent = node.ownAgent;
    let session = node.ownSession;
    let user = node.ownUser;
    if (settled(node)) return { agent: agent!, session, user, decision: node.ownDecision };
    let up = node.parentKey === null ? undefined : nodes.get(node.parentKey);
    const parent = up;
    for (let depth = 0; up !== undefined && depth < MAX_DEPTH && (agent === null || session === null || user === null); depth++) {
      agent ??= up.ownAgent;
      session ??= up.ownSession;
      user ??= up.ownUser;
      up = up.parentKey === null ? undefined : nodes.get(up.parentKey);
    }
    const repeats = node.span_type === 'decision' && node.ownDecision !== null && parent?.ownDecision === node.ownDecision;
    return { agent: agent ?? node.fallbackAgent, session, user, decision: repeats ? null : node.ownDecision };
  };

  const apply = (span: Span, node: TraceNode, a: Attribution) => {
    span.agent_id = node.agent = a.agent;
    span.session_id = node.session = a.session;
    span.user_id = node.user = a.user;
    if (a.decision === null && node.ownDecision !== null) {
      span.attributes = { [REPEATED_DECISION_ATTRIBUTE]: node.ownDecision, ...span.attributes };
    }
    span.decision_made = node.decision = a.decision;
  };

  return {
    async prepare(spans) {
      evict();
      const now = opts.clock();
      const batch: TraceNode[] = [];
      // Every span of the batch is remembered before any is attributed, so a child sees a parent
      // sent later in the same batch.
      for (const s of spans) {
        if (batch.length > 0 && batch.length % SLICE === 0) await yieldToLoop();
        const key = keyOf(s.project, s.trace_id, s.span_id);
        const fallback = s.agent_fallback === true;
        // Not `delete`: it would turn every span object into a slow dictionary-mode object.
        if (fallback) s.agent_fallback = undefined;
        const node: TraceNode = {
          key,
          parentKey: s.parent_span_id === null ? null : keyOf(s.project, s.trace_id, s.parent_span_id),
          project: s.project,
          trace_id: s.trace_id,
          span_id: s.span_id,
          timestamp: s.timestamp,
          span_type: s.span_type,
          ownAgent: fallback ? null : s.agent_id,
          fallbackAgent: s.agent_id,
          ownSession: s.session_id,
          ownUser: s.user_id,
          ownDecision: s.decision_made,
          agent: s.agent_id,
          session: s.session_id,
          user: s.user_id,
          decision: s.decision_made,
          committed: false,
          addedAt: now,
        };
        // A span sent again (a retry) replaces what was remembered of it.
        const earlier = nodes.get(key);
        if (earlier !== undefined) forget(earlier);
        nodes.set(key, node);
        // Only a span an ancestor can still change is looked for from its parent (committed()).
        if (node.parentKey !== null && !settled(node)) {
          let siblings = children.get(node.parentKey);
          if (siblings === undefined) children.set(node.parentKey, (siblings = new Set()));
          siblings.add(key);
        }
        batch.push(node);
      }
      for (let i = 0; i < spans.length; i++) {
        if (i > 0 && i % SLICE === 0) await yieldToLoop();
        apply(spans[i]!, batch[i]!, attributionOf(batch[i]!));
      }
      prepared.set(spans, batch);
    },

    async committed(spans) {
      const out = new Map<string, SpanRevision[]>();
      const queue: TraceNode[] = [];
      const keys = prepared.get(spans)?.map((n) => n.key) ?? spans.map((s) => keyOf(s.project, s.trace_id, s.span_id));
      prepared.delete(spans);
      for (let i = 0; i < keys.length; i++) {
        if (i > 0 && i % SLICE === 0) await yieldToLoop();
        // By key, not the prepared node: a retry of the span in a later batch replaced it.
        const node = nodes.get(keys[i]!);
        if (node === undefined) continue;
        node.committed = true;
        // Only a node with children waiting for it can revise anything.
        if (children.has(node.key)) queue.push(node);
      }
      // Descendants stored before this batch whose attribution it changes, breadth first.
      const seen = new Set<string>();
      for (let q = 0; q < queue.length; q++) {
        if (q > 0 && q % SLICE === 0) await yieldToLoop();
        const parent = queue[q]!;
        for (const childKey of children.get(parent.key) ?? []) {
          const child = nodes.get(childKey);
          if (child === undefined || seen.has(childKey)) continue;
          seen.add(childKey);
          queue.push(child);
          if (!child.committed) continue;
          const a = attributionOf(child);
          if (a.agent === child.agent && a.session === child.session && a.user === child.user && a.decision === child.decision) continue;
          const revision: SpanRevision = {
            trace_id: child.trace_id,
            span_id: child.span_id,
            timestamp: child.timestamp,
            agent_id: a.agent,
            session_id: a.session,
            user_id: a.user,
            decision_made: a.decision,
            ...(a.decision === null && child.ownDecision !== null && { repeated_decision: child.ownDecision }),
          };
          Object.assign(child, { agent: a.agent, session: a.session, user: a.user, decision: a.decision });
          let list = out.get(child.project);
          if (list === undefined) out.set(child.project, (list = []));
          list.push(revision);
        }
      }
      return out;
    },

    failed(spans) {
      prepared.delete(spans);
      for (const s of spans) {
        const node = nodes.get(keyOf(s.project, s.trace_id, s.span_id));
        if (node !== undefined && !node.committed) forget(node);
      }
    },

    size: () => nodes.size,
  };
}
