// `sightline export [--from T] [--to T | --range 24h] [--agent A] [--format parquet|csv|ndjson]
// [--out FILE]`: streams GET /api/export from the running server to a file (or stdout).

import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { EXPORT_FORMATS, type ExportFormat } from '../http/routes/export.js';
import { SightlineError } from '../model/errors.js';
import { clientOf, ensureOk } from './client.js';
import type { Flags } from './flags.js';
import { formatBytes } from './term.js';

function formatOf(flags: Flags): ExportFormat {
  const raw = flags.format ?? /\.(parquet|csv|ndjson)$/.exec(flags.out ?? '')?.[1] ?? 'ndjson';
  if (!(EXPORT_FORMATS as readonly string[]).includes(raw)) {
    throw new SightlineError('CONFIG_INVALID', `--format: "${raw}" is not one of ${EXPORT_FORMATS.join(', ')}`);
  }
  return raw as ExportFormat;
}

export async function runExport(flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const format = formatOf(flags);
  const toStdout = flags.out === undefined || flags.out === '-';
  if (format === 'parquet' && toStdout && process.stdout.isTTY) {
    throw new SightlineError('CONFIG_INVALID', 'export: Parquet is binary; pass --out FILE');
  }
  const client = clientOf(flags, env);
  const params = new URLSearchParams({ format });
  for (const name of ['from', 'to', 'range', 'agent'] as const) {
    const v = flags[name];
    if (v !== undefined) params.set(name, v);
  }
  const path = `/api/export?${params}`;
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
  const sink: Writable = toStdout ? process.stdout : createWriteStream(flags.out!);
  try {
    await pipeline(source, sink, { end: !toStdout });
  } catch (err) {
    if (!toStdout) await rm(flags.out!, { force: true });
    throw new SightlineError('STORE_UNAVAILABLE', `export interrupted: ${(err as Error).message}`, { cause: err });
  }
  const rows = format === 'parquet' ? Number(res.headers.get('x-sightline-rows') ?? 0) : format === 'csv' ? Math.max(0, lines - 1) : lines;
  process.stderr.write(`exported ${rows.toLocaleString('en-US')} spans as ${format} to ${toStdout ? 'stdout' : flags.out} (${formatBytes(bytes)})\n`);
  return 0;
}
