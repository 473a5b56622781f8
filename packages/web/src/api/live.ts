// One connection to /api/live for the whole app. EventSource cannot send an Authorization
// header, so this reads the SSE stream with fetch() and parses it here; it reconnects with
// backoff and tells subscribers about every committed span and, in `changed` events coalesced by
// the server (at most one per LIVE_TICK_MS), which time range new spans touched.

import { authHeaders } from './client';
import type { Span } from '@sightline/api';

export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'off';

type SpanListener = (spans: Span[]) => void;

/** The timestamp range of spans committed since the previous `changed` event. */
export interface ChangedRange {
  from: number;
  to: number;
  spans: number;
}

/** null: changes of unknown extent (the stream was reconnected and may have missed some). */
type ChangeListener = (range: ChangedRange | null) => void;

function storedTickMs(): number | null {
  try {
    const v = Number(globalThis.sessionStorage?.getItem('sightline.liveTickMs'));
    return v >= 250 && v <= 60_000 ? v : null;
  } catch {
    return null;
  }
}

/**
 * How often, at most, pages hear of new data: 20 s keeps a page of eleven panels under 30 API
 * requests a minute. Tests and the benchmark shorten it with sessionStorage `sightline.liveTickMs`.
 */
export const LIVE_TICK_MS = storedTickMs() ?? 20_000;

interface SseEvent {
  event: string;
  data: string;
}

/** Splits an SSE byte stream into events; keeps an incomplete tail between chunks. */
export function createSseParser(onEvent: (e: SseEvent) => void): (chunk: string) => void {
  let buf = '';
  return (chunk) => {
    buf += chunk.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) onEvent({ event, data: data.join('\n') });
    }
  };
}

class LiveConnection {
  status: LiveStatus = 'off';
  dropped = 0;
  private spanListeners = new Set<SpanListener>();
  private changeListeners = new Set<ChangeListener>();
  private opened = false;
  private statusListeners = new Set<() => void>();
  private abort: AbortController | null = null;
  private retryMs = 500;

  start(key: string): void {
    this.stop();
    const ctrl = new AbortController();
    this.abort = ctrl;
    void this.run(key, ctrl.signal);
  }

  stop(): void {
    this.abort?.abort();
    this.abort = null;
    this.setStatus('off');
  }

  onSpans(l: SpanListener): () => void {
    this.spanListeners.add(l);
    return () => void this.spanListeners.delete(l);
  }

  onChanges(l: ChangeListener): () => void {
    this.changeListeners.add(l);
    return () => void this.changeListeners.delete(l);
  }

  onStatus(l: () => void): () => void {
    this.statusListeners.add(l);
    return () => void this.statusListeners.delete(l);
  }

  private setStatus(s: LiveStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.statusListeners.forEach((l) => l());
  }

  private async run(key: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.setStatus(this.status === 'off' ? 'connecting' : 'reconnecting');
      try {
        const res = await fetch(`/api/live?changes_ms=${LIVE_TICK_MS}`, { headers: { accept: 'text/event-stream', ...authHeaders(key) }, signal });
        if (res.status === 401) {
          this.setStatus('off');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`live: ${res.status}`);
        await this.read(res.body, signal);
      } catch {
        // network error or server restart: retry below
      }
      if (signal.aborted) return;
      this.setStatus('reconnecting');
      await new Promise((r) => setTimeout(r, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    }
  }

  private async read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let pending: Span[] = [];
    let scheduled = false;
    // Spans arrive one event each; hand them to listeners once per frame, not once per span.
    const flush = () => {
      scheduled = false;
      const batch = pending;
      pending = [];
      if (batch.length > 0) this.spanListeners.forEach((l) => l(batch));
    };
    const parse = createSseParser((e) => {
      if (e.event === 'ready') {
        this.retryMs = 500;
        this.setStatus('open');
        // After a reconnect, spans may have been committed while no stream was open.
        if (this.opened) this.changeListeners.forEach((l) => l(null));
        this.opened = true;
      } else if (e.event === 'changed') {
        const range = JSON.parse(e.data) as ChangedRange;
        this.changeListeners.forEach((l) => l(range));
      } else if (e.event === 'span') {
        pending.push(JSON.parse(e.data) as Span);
        if (!scheduled) {
          scheduled = true;
          setTimeout(flush, 50);
        }
      } else if (e.event === 'dropped') {
        this.dropped += (JSON.parse(e.data) as { dropped: number }).dropped;
      }
    });
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      parse(decoder.decode(value, { stream: true }));
    }
  }
}

export const live = new LiveConnection();
