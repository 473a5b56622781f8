// `sightline import FILE [--format ndjson|csv]`: sends NDJSON (the ingest format, as exported) or
// the export CSV to the running server's POST /v1/events in batches, so every row goes through
// the API's own validation. A progress bar (rows/s, ETA) on a terminal; a summary at the end.

import { createReadStream, statSync } from 'node:fs';
import { SightlineError } from '../model/errors.js';
import { createCsvParser, csvUnescapeFormula } from '../model/csv.js';
import { csvRecordToEvent } from '../model/span-export.js';
import { clientOf, ensureOk, type ServerClient } from './client.js';
import type { Flags } from './main.js';
import { colorEnabled, createProgress, painter } from './term.js';

/** Rows per request: well under the server's 10,000-event and 16 MiB limits. */
const BATCH_ROWS = 2_000;
const BATCH_BYTES = 4 * 1024 * 1024;
/** Requests in flight: one being committed while the next is read and sent. */
const IN_FLIGHT = 2;
const MAX_RETRIES = 8;
const MAX_PRINTED_PROBLEMS = 20;

interface Batch {
  lines: string[];
  /** Where each row came from (file line for NDJSON, data row for CSV), for messages. */
  origins: number[];
  bytes: number;
}

interface Problem {
  index: number;
  field: string;
  error: string;
}

interface Totals {
  accepted: number;
  rejected: number;
  problems: string[];
}

async function send(client: ServerClient, batch: Batch, totals: Totals, unit: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await client.fetch('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: batch.lines.join('\n'),
    });
    if ((res.status === 429 || res.status === 503) && attempt < MAX_RETRIES) {
      await res.body?.cancel();
      const wait = Number(res.headers.get('retry-after') ?? 1) * 1000;
      await new Promise((r) => setTimeout(r, Math.min(wait, 10_000)));
      continue;
    }
    if (res.status !== 400) await ensureOk(res, '/v1/events');
    const body = (await res.json()) as { accepted?: number; rejected?: Problem[]; rejected_events?: number; error?: { message: string } };
    if (body.accepted === undefined) throw new SightlineError('CONFIG_INVALID', `server answered ${res.status} for /v1/events: ${body.error?.message ?? ''}`);
    totals.accepted += body.accepted;
    totals.rejected += body.rejected_events ?? 0;
    for (const p of body.rejected ?? []) {
      if (totals.problems.length >= MAX_PRINTED_PROBLEMS) break;
      // The server numbers lines within its request; the file's own numbering replaces it.
      totals.problems.push(`${unit} ${batch.origins[p.index] ?? '?'}: ${p.error.replace(/^line \d+: /, '')}`);
    }
    return;
  }
}

function detectFormat(flags: Flags, file: string, head: string): 'ndjson' | 'csv' {
  const chosen = flags.format ?? (/\.csv$/i.test(file) ? 'csv' : /\.(ndjson|jsonl|json)$/i.test(file) ? 'ndjson' : head.trimStart().startsWith('{') ? 'ndjson' : 'csv');
  if (chosen !== 'ndjson' && chosen !== 'csv') throw new SightlineError('CONFIG_INVALID', `--format: import reads ndjson or csv, not "${chosen}"`);
  return chosen;
}

export async function runImport(rest: string[], flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const [file] = rest;
  if (file === undefined) throw new SightlineError('CONFIG_INVALID', 'import: name a file, e.g. sightline import spans.ndjson');
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new SightlineError('CONFIG_INVALID', `import: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`, { cause: err });
  }
  const client = clientOf(flags, env);
  const started = Date.now();
  const totals: Totals = { accepted: 0, rejected: 0, problems: [] };
  const progress = createProgress(process.stderr, process.stderr.isTTY === true);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  let rows = 0;
  let batch: Batch = { lines: [], origins: [], bytes: 0 };
  let format: 'ndjson' | 'csv' | null = null;
  let unit = 'line';

  const flush = async () => {
    if (batch.lines.length === 0) return;
    const sending = batch;
    batch = { lines: [], origins: [], bytes: 0 };
    const p: Promise<void> = send(client, sending, totals, unit).catch((err: unknown) => {
      failure ??= err;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  const add = (line: string, origin: number) => {
    batch.lines.push(line);
    batch.origins.push(origin);
    batch.bytes += line.length + 1;
    rows++;
  };

  // NDJSON lines go to the server verbatim: its decoder reports a line that is not JSON.
  let partial = '';
  let lineNo = 0;
  let header: string[] | null = null;
  let csvRow = 0;
  const csv = createCsvParser((fields) => {
    if (header === null) {
      header = fields;
      return;
    }
    // Text an export escaped against formula injection ('=…) comes back as it was sent.
    add(JSON.stringify(csvRecordToEvent(header, fields.map(csvUnescapeFormula))), ++csvRow);
  });

  for await (const chunk of stream as AsyncIterable<string>) {
    if (failure !== null) break;
    format ??= detectFormat(flags, file, chunk);
    if (format === 'csv') {
      unit = 'row';
      csv.write(chunk);
    } else {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lineNo++;
        if (line.trim() !== '') add(line, lineNo);
      }
    }
    if (batch.lines.length >= BATCH_ROWS || batch.bytes >= BATCH_BYTES) await flush();
    progress.update({ rows, fraction: size > 0 ? stream.bytesRead / size : 1, elapsedMs: Date.now() - started });
  }
  if (format === 'csv') csv.end();
  else if (partial.trim() !== '') add(partial, ++lineNo);
  await flush();
  await Promise.all(inFlight);
  progress.update({ rows, fraction: 1, elapsedMs: Date.now() - started });
  progress.done();
  if (failure !== null) throw failure;

  const seconds = (Date.now() - started) / 1000;
  const paint = painter(colorEnabled(process.stdout, env));
  for (const p of totals.problems) process.stderr.write(`${p}\n`);
  if (totals.rejected > totals.problems.length) process.stderr.write(`… and more: ${totals.rejected} rows rejected in all\n`);
  console.log(
    `imported ${file}: ${paint('green', `${totals.accepted.toLocaleString('en-US')} accepted`)}, ` +
      `${paint(totals.rejected > 0 ? 'red' : 'dim', `${totals.rejected.toLocaleString('en-US')} rejected`)} ` +
      `of ${rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)}s (${Math.round(rows / Math.max(seconds, 0.001)).toLocaleString('en-US')} rows/s)`,
  );
  return totals.rejected > 0 ? 1 : 0;
}
