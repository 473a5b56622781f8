// `sightline import FILE [--format parquet|csv|ndjson]`: sends Parquet, the export's CSV or NDJSON
// events to the running server's POST /api/import in batches, so every row goes through the API's
// own validation and a span the project already stores is not stored again. A progress bar (rows/s,
// ETA) on a terminal; a summary of new, duplicate and rejected rows at the end. Scores (a file of
// POST /v1/scores bodies, as `sightline export` writes beside the spans) go to /v1/scores, where a
// score_id already stored is replaced, so importing twice stores each score once; a spans file's
// scores file beside it (spans.scores.ndjson) is imported after it.

import { existsSync, statSync } from 'node:fs';
import type { ImportReply } from '../http/routes/import.js';
import { SightlineError } from '../model/errors.js';
import { isScorePayload, scoresFileBeside } from '../model/score-export.js';
import { clientOf, ensureOk, type ServerClient } from './client.js';
import { csvSource, detectFormat, ndjsonSource, parquetSource, type ImportRow, type ImportSource } from './import-source.js';
import type { Flags } from './flags.js';
import { colorEnabled, createProgress, painter } from './term.js';

/** Rows per request: well under the server's 10,000-event and 16 MiB limits. */
const BATCH_ROWS = 2_000;
const BATCH_BYTES = 4 * 1024 * 1024;
/** Requests in flight: one being committed while the next is read and sent. */
const IN_FLIGHT = 2;
const MAX_RETRIES = 8;
const MAX_PRINTED_PROBLEMS = 20;

interface Totals {
  fresh: number;
  duplicates: number;
  rejected: number;
  problems: string[];
}

type ImportKind = 'spans' | 'scores';
const ROUTE: Record<ImportKind, string> = { spans: '/api/import', scores: '/v1/scores' };

async function send(client: ServerClient, batch: ImportRow[], totals: Totals, unit: string, kind: ImportKind): Promise<void> {
  const route = ROUTE[kind];
  for (let attempt = 0; ; attempt++) {
    const res = await client.fetch(route, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: batch.map((r) => r.line).join('\n'),
    });
    if ((res.status === 429 || res.status === 503) && attempt < MAX_RETRIES) {
      await res.body?.cancel();
      const wait = Number(res.headers.get('retry-after') ?? 1) * 1000;
      await new Promise((r) => setTimeout(r, Math.min(wait, 10_000)));
      continue;
    }
    if (res.status !== 400) await ensureOk(res, route);
    const body = (await res.json()) as Partial<ImportReply> & { error?: { message: string } };
    if (body.accepted === undefined) throw new SightlineError('CONFIG_INVALID', `server answered ${res.status} for ${route}: ${body.error?.message ?? ''}`);
    totals.fresh += body.accepted;
    totals.duplicates += body.duplicates ?? 0;
    totals.rejected += body.rejected_events ?? 0;
    for (const p of body.rejected ?? []) {
      if (totals.problems.length >= MAX_PRINTED_PROBLEMS) break;
      // The server numbers lines within its request; the file's own numbering replaces it.
      totals.problems.push(`${unit} ${batch[p.index]?.origin ?? '?'}: ${p.error.replace(/^line \d+: /, '')}`);
    }
    return;
  }
}

async function openSource(file: string, flags: Flags): Promise<ImportSource> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new SightlineError('CONFIG_INVALID', `import: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`, { cause: err });
  }
  const format = detectFormat(file, flags.format);
  return format === 'parquet' ? parquetSource(file) : format === 'csv' ? csvSource(file, size) : ndjsonSource(file, size);
}

const count = (n: number) => n.toLocaleString('en-US');

/** A file of scores: NDJSON whose first line is a score as the export writes it. */
async function kindOf(source: ImportSource): Promise<{ kind: ImportKind; source: ImportSource }> {
  if (source.unit !== 'line') return { kind: 'spans', source };
  const it = source.chunks()[Symbol.asyncIterator]();
  const next = await it.next();
  const first = next.done === true ? [] : next.value;
  // The first chunk was read to tell the kind: it goes out first, then the same iterator goes on.
  const rest = { [Symbol.asyncIterator]: () => it };
  const resumed: ImportSource = { ...source, chunks: () => prepend(first, rest) };
  let parsed: unknown = null;
  try {
    parsed = first[0] === undefined ? null : JSON.parse(first[0].line);
  } catch {
    // not JSON: the spans route names the line
  }
  return { kind: isScorePayload(parsed) ? 'scores' : 'spans', source: resumed };
}

export async function runImport(rest: string[], flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const [file] = rest;
  if (file === undefined) throw new SightlineError('CONFIG_INVALID', 'import: name a file, e.g. sightline import spans.parquet');
  const client = clientOf(flags, env);
  const code = await importFile(client, file, flags, env);
  const beside = scoresFileBeside(file);
  if (beside === file || !existsSync(beside)) return code;
  return Math.max(code, await importFile(client, beside, { ...flags, format: 'ndjson' }, env));
}

async function importFile(client: ServerClient, file: string, flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const { kind, source } = await kindOf(await openSource(file, flags));
  const started = Date.now();
  const totals: Totals = { fresh: 0, duplicates: 0, rejected: 0, problems: [] };
  const progress = createProgress(process.stderr, process.stderr.isTTY === true);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  let rows = 0;
  let batch: ImportRow[] = [];
  let batchBytes = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    batchBytes = 0;
    const p: Promise<void> = send(client, sending, totals, source.unit, kind).catch((err: unknown) => {
      failure ??= err;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };

  for await (const chunk of source.chunks()) {
    if (failure !== null) break;
    for (const row of chunk) {
      batch.push(row);
      batchBytes += row.line.length + 1;
      rows++;
      if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
    }
    progress.update({ rows, fraction: source.fraction(), elapsedMs: Date.now() - started });
  }
  await flush();
  await Promise.all(inFlight);
  progress.update({ rows, fraction: 1, elapsedMs: Date.now() - started });
  progress.done();
  if (failure !== null) throw failure;

  const seconds = (Date.now() - started) / 1000;
  const paint = painter(colorEnabled(process.stdout, env));
  for (const p of totals.problems) process.stderr.write(`${p}\n`);
  if (totals.rejected > totals.problems.length) process.stderr.write(`… and more: ${count(totals.rejected)} rows rejected in all\n`);
  if (kind === 'scores') {
    console.log(
      `imported ${file}: ${paint('green', `${count(totals.fresh)} scores stored`)} (one already stored is replaced, not added), ` +
        `${paint(totals.rejected > 0 ? 'red' : 'dim', `${count(totals.rejected)} rejected`)} of ${count(rows)} rows in ${seconds.toFixed(1)} s`,
    );
    return totals.rejected > 0 ? 1 : 0;
  }
  console.log(
    `imported ${file}: ${paint('green', `${count(totals.fresh)} new`)}, ` +
      `${paint('dim', `${count(totals.duplicates)} already stored`)}, ` +
      `${paint(totals.rejected > 0 ? 'red' : 'dim', `${count(totals.rejected)} rejected`)} ` +
      `of ${count(rows)} rows in ${seconds.toFixed(1)} s (${count(Math.round(rows / Math.max(seconds, 0.001)))} rows/s)`,
  );
  return totals.rejected > 0 ? 1 : 0;
}

/** The chunks of a source after one already read from it. */
async function* prepend(first: ImportRow[], rest: AsyncIterable<ImportRow[]>): AsyncIterable<ImportRow[]> {
  if (first.length > 0) yield first;
  yield* rest;
}
