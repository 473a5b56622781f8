// `sightline tail [--agent A] [--errors] [--json]`: the live stream of committed spans, one line per
// span (time, agent, type, span name, model, decision, latency, cost, error), or one JSON object per line.

import type { Span } from '../model/span.js';
import { formatUsd } from '@sightline/api';
import { SightlineError } from '../model/errors.js';
import { clientOf, ensureOk } from './client.js';
import type { Flags } from './flags.js';
import { cell, colorEnabled, painter, type Paint, type Style } from './term.js';

const TYPE_STYLE: Record<string, Style> = {
  llm_call: 'magenta',
  tool_call: 'blue',
  decision: 'yellow',
  agent_step: 'cyan',
  retrieval: 'green',
  embedding: 'green',
  custom: 'dim',
};

function clock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function latency(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}

function cost(usd: number | null): string {
  return usd === null ? '-' : formatUsd(usd);
}

/**
 * One aligned line per span.
 * @example spanLine(span, painter(false)) // "12:00:01.234  support-bot       llm_call    plan                  gpt-4o  refund  640ms  $0.0123  ok"
 */
export function spanLine(s: Span, paint: Paint): string {
  const failed = s.error_type !== null || s.error_message !== null;
  const lat = latency(s.latency_ms);
  const error = failed ? `✗ ${[s.error_type, s.error_message].filter((v) => v !== null).join(': ')}` : 'ok';
  return [
    paint('dim', clock(s.timestamp)),
    paint('cyan', cell(s.agent_id, 16)),
    paint(TYPE_STYLE[s.span_type] ?? 'dim', cell(s.span_type, 10)),
    cell(s.name ?? '-', 20),
    cell(s.model ?? '-', 18),
    cell(s.decision_made ?? '-', 16),
    paint(s.latency_ms >= 10_000 ? 'red' : s.latency_ms >= 2_000 ? 'yellow' : 'green', lat.padStart(7)),
    cost(s.cost_usd).padStart(8),
    failed ? paint('red', error.length > 80 ? `${error.slice(0, 79)}…` : error) : paint('dim', error),
  ].join('  ');
}

/** Splits an SSE byte stream into events (`event:` name and joined `data:` lines). */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

export async function runTail(flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const client = clientOf(flags, env);
  const params = new URLSearchParams();
  if (flags.agent !== undefined) params.set('agent', flags.agent);
  if (flags.errors) params.set('errors', '1');
  const path = `/api/live${params.size > 0 ? `?${params}` : ''}`;
  const paint = painter(!flags.json && colorEnabled(process.stdout, env));
  const aborter = new AbortController();
  const stop = () => aborter.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A closed pipe (`sightline tail | head`) ends the tail quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') stop();
  });
  try {
    const res = await client.fetch(path, { headers: { accept: 'text/event-stream' }, signal: aborter.signal });
    await ensureOk(res, path);
    if (res.body === null) throw new SightlineError('STORE_UNAVAILABLE', 'the server sent no live stream');
    for await (const { event, data } of sseEvents(res.body)) {
      if (event === 'ready' && process.stderr.isTTY) {
        process.stderr.write(paint('dim', `tailing ${client.url}${flags.agent ? ` agent=${flags.agent}` : ''}${flags.errors ? ' errors only' : ''} (Ctrl-C to stop)\n`));
      } else if (event === 'span') {
        process.stdout.write(flags.json ? `${data}\n` : `${spanLine(JSON.parse(data) as Span, paint)}\n`);
      } else if (event === 'dropped') {
        process.stderr.write(`sightline: ${(JSON.parse(data) as { dropped: number }).dropped} spans dropped (the terminal fell behind)\n`);
      }
    }
  } catch (err) {
    if (aborter.signal.aborted) return 0;
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (aborter.signal.aborted) return 0;
  console.error('sightline: the server closed the live stream');
  return 1;
}
