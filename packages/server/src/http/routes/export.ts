// GET /api/export?format=parquet|csv|ndjson&from=&to=|range=&agent=: spans of the key's project,
// streamed. CSV and NDJSON are written page by page as the client reads (backpressure from the
// socket); Parquet is written by the store to a temp file, which is unlinked once opened.
// GET /api/export?data=scores&format=ndjson&from=&to=: the project's scores in the range, as
// POST /v1/scores bodies one per line (model/score-export.ts), paged the same way.

import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { csvLine } from '../../model/csv.js';
import { scoreToPayload } from '../../model/score-export.js';
import { CSV_COLUMNS, spanToCsvValues, spanToEvent } from '../../model/span-export.js';
import type { ScoreCursor, ScoreExportQuery, ScoreStore } from '../../store/score-store.js';
import type { ExportCursor, ExportQuery } from '../../store/store.js';
import type { SpanStore } from '../../store/span-store.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { BadParam, parseEnum, parseRange } from '../params.js';

export const EXPORT_FORMATS = ['parquet', 'csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CONTENT_TYPE: Record<ExportFormat, string> = {
  parquet: 'application/vnd.apache.parquet',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};
/** Spans per store read: large enough to amortise a query, small enough to bound memory. */
const PAGE_SPANS = 5_000;
/** Without from/range an export covers the default raw-span retention. */
const DEFAULT_RANGE_MS = 7 * 86_400_000;

/** Pages of spans encoded as text, read only as fast as the client takes them. */
function pagedStream(store: SpanStore, q: ExportQuery, format: 'csv' | 'ndjson'): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: ExportCursor | null = null;
  let headerSent = format !== 'csv';
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const spans = await store.exportSpans(q, after, PAGE_SPANS);
      let text = headerSent ? '' : csvLine([...CSV_COLUMNS]);
      headerSent = true;
      for (const s of spans) text += format === 'csv' ? csvLine(spanToCsvValues(s)) : `${JSON.stringify(spanToEvent(s))}\n`;
      if (text !== '') controller.enqueue(encoder.encode(text));
      const last = spans[spans.length - 1];
      if (spans.length < PAGE_SPANS || last === undefined) controller.close();
      else after = { timestamp: last.timestamp, trace_id: last.trace_id, span_id: last.span_id };
    },
  });
}

/** Pages of scores as NDJSON, read only as fast as the client takes them. */
function scoreStream(store: ScoreStore, q: ScoreExportQuery): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: ScoreCursor | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const scores = await store.exportScores(q, after, PAGE_SPANS);
      let text = '';
      for (const s of scores) text += `${JSON.stringify(scoreToPayload(s))}\n`;
      if (text !== '') controller.enqueue(encoder.encode(text));
      const last = scores[scores.length - 1];
      if (scores.length < PAGE_SPANS || last === undefined) controller.close();
      else after = { timestamp: last.timestamp, score_id: last.score_id };
    },
  });
}

export const EXPORT_DATA = ['spans', 'scores'] as const;

async function parquetStream(store: SpanStore, q: ExportQuery): Promise<{ body: ReadableStream<Uint8Array>; rows: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sightline-export-'));
  const file = join(dir, 'export.parquet');
  try {
    const { rows } = await store.exportParquet(q, file);
    const stream = createReadStream(file);
    // The open descriptor keeps the data readable; nothing is left behind if the client goes away.
    stream.once('open', () => void rm(dir, { recursive: true, force: true }));
    stream.once('error', () => void rm(dir, { recursive: true, force: true }));
    return { body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, rows };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export function registerExportRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/api/export', requireScope(deps.auth, 'read'), async (c) => {
    const q = (n: string) => c.req.query(n);
    const format = parseEnum<ExportFormat>('format', q('format') ?? 'ndjson', EXPORT_FORMATS);
    const data = parseEnum('data', q('data') ?? 'spans', EXPORT_DATA);
    const { from, to } = parseRange(q, deps.clock(), DEFAULT_RANGE_MS);
    if (data === 'scores') {
      // Scores have no agent of their own (it comes from the judged trace) and one format: the ingest body.
      if (format !== 'ndjson') throw new BadParam('format', `scores are exported as ndjson (POST /v1/scores bodies), not ${format}`);
      if (q('agent') !== undefined) throw new BadParam('agent', 'does not apply to scores (a score has no agent of its own)');
      return new Response(scoreStream(deps.store, { project: c.get('key').project, from, to }), {
        headers: { 'content-type': CONTENT_TYPE.ndjson, 'content-disposition': `attachment; filename="sightline-scores-${from}-${to}.ndjson"`, 'cache-control': 'no-store' },
      });
    }
    const agent = q('agent');
    if (agent !== undefined && agent.length > 256) throw new BadParam('agent', `is ${agent.length} characters; the limit is 256`);
    const project = c.get('key').project;
    const query: ExportQuery = { project, from, to, ...(agent !== undefined && agent !== '' && { agent }) };
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPE[format],
      'content-disposition': `attachment; filename="sightline-${from}-${to}.${format}"`,
      'cache-control': 'no-store',
    };
    if (format !== 'parquet') return new Response(pagedStream(deps.store, query, format), { headers });
    const { body, rows } = await parquetStream(deps.store, query);
    return new Response(body, { headers: { ...headers, 'x-sightline-rows': String(rows) } });
  });
}
