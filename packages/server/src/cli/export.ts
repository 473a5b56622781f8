// `sightline export [--from T] [--to T | --range 24h] [--agent A] [--format parquet|csv|ndjson]
// [--out FILE]`: streams GET /api/export from the running server to a file (or stdout). With
// --out, the range's scores go beside the spans (spans.parquet → spans.scores.ndjson, as
// POST /v1/scores bodies) so `sightline import` brings both back; `--scores` exports scores alone.

import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { EXPORT_FORMATS, type ExportFormat } from '../http/routes/export.js';
import { SightlineError } from '../model/errors.js';
import { scoresFileBeside } from '../model/score-export.js';
import { clientOf, ensureOk, type ServerClient } from './client.js';
import type { Flags } from './flags.js';
import { formatBytes } from './term.js';

function formatOf(flags: Flags): ExportFormat {
  const raw = flags.format ?? /\.(parquet|csv|ndjson)$/.exec(flags.out ?? '')?.[1] ?? 'ndjson';
  if (!(EXPORT_FORMATS as readonly string[]).includes(raw)) {
    throw new SightlineError('CONFIG_INVALID', `--format: "${raw}" is not one of ${EXPORT_FORMATS.join(', ')}`);
  }
  if (flags.scores && raw !== 'ndjson') throw new SightlineError('CONFIG_INVALID', `--format: scores are exported as ndjson (POST /v1/scores bodies), not ${raw}`);
  return raw as ExportFormat;
}

interface Written {
  bytes: number;
  lines: number;
  rowsHeader: string | null;
}

/** Streams one export path to `out` (stdout when undefined); a file is removed when interrupted, or when empty and `dropEmpty`. */
async function download(client: ServerClient, path: string, out: string | undefined, format: ExportFormat, dropEmpty = false): Promise<Written> {
  const res = await client.fetch(path);
  await ensureOk(res, path);
  if (res.body === null) throw new SightlineError('STORE_UNAVAILABLE', 'the server sent no export body');
  let bytes = 0;
  let lines = 0;
  const count = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      if (format !== 'parquet') for (const b of chunk) if (b === 10) lines++;
      controller.enqueue(chunk);
    },
  });
  const source = Readable.fromWeb(res.body.pipeThrough(count) as NodeReadableStream<Uint8Array>);
  const sink: Writable = out === undefined ? process.stdout : createWriteStream(out);
  try {
    await pipeline(source, sink, { end: out !== undefined });
  } catch (err) {
    if (out !== undefined) await rm(out, { force: true });
    throw new SightlineError('STORE_UNAVAILABLE', `export interrupted: ${(err as Error).message}`, { cause: err });
  }
  if (dropEmpty && bytes === 0 && out !== undefined) await rm(out, { force: true });
  return { bytes, lines, rowsHeader: res.headers.get('x-sightline-rows') };
}

export async function runExport(flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const format = formatOf(flags);
  const toStdout = flags.out === undefined || flags.out === '-';
  const out = toStdout ? undefined : flags.out!;
  if (format === 'parquet' && toStdout && process.stdout.isTTY) {
    throw new SightlineError('CONFIG_INVALID', 'export: Parquet is binary; pass --out FILE');
  }
  if (flags.scores && flags.agent !== undefined) throw new SightlineError('CONFIG_INVALID', '--agent: does not apply to scores (a score has no agent of its own)');
  const client = clientOf(flags, env);
  const range = new URLSearchParams();
  for (const name of ['from', 'to', 'range'] as const) {
    const v = flags[name];
    if (v !== undefined) range.set(name, v);
  }
  const where = out ?? 'stdout';
  const scoresPath = `/api/export?${new URLSearchParams({ data: 'scores', format: 'ndjson', ...Object.fromEntries(range) })}`;
  if (flags.scores) {
    const w = await download(client, scoresPath, out, 'ndjson');
    process.stderr.write(`exported ${w.lines.toLocaleString('en-US')} scores as ndjson to ${where} (${formatBytes(w.bytes)})\n`);
    return 0;
  }
  const params = new URLSearchParams({ format, ...Object.fromEntries(range) });
  if (flags.agent !== undefined) params.set('agent', flags.agent);
  const w = await download(client, `/api/export?${params}`, out, format);
  const rows = format === 'parquet' ? Number(w.rowsHeader ?? 0) : format === 'csv' ? Math.max(0, w.lines - 1) : w.lines;
  process.stderr.write(`exported ${rows.toLocaleString('en-US')} spans as ${format} to ${where} (${formatBytes(w.bytes)})\n`);
  // Scores of the same range beside the file (not for one agent: a score's agent is its trace's, read at query time).
  if (out !== undefined && flags.agent === undefined) {
    const beside = scoresFileBeside(out);
    const s = await download(client, scoresPath, beside, 'ndjson', true);
    if (s.lines > 0) process.stderr.write(`exported ${s.lines.toLocaleString('en-US')} scores as ndjson to ${beside} (${formatBytes(s.bytes)})\n`);
  }
  return 0;
}
