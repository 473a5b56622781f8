// What `sightline import` reads: Parquet (as `sightline export` writes it, read by an in-memory
// DuckDB), the export's CSV, or NDJSON events, told apart by content first, then extension. Each
// source yields rows as NDJSON event lines for POST /api/import, in chunks, with how far it is.

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { SightlineError } from '../model/errors.js';
import { createCsvParser, csvUnescapeFormula } from '../model/csv.js';
import type { Span } from '../model/span.js';
import { csvRecordToEvent, spanToEvent } from '../model/span-export.js';

export const IMPORT_FORMATS = ['parquet', 'csv', 'ndjson'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportRow {
  /** The event as one NDJSON line. */
  line: string;
  /** Where it came from: the file's line (NDJSON) or data row (CSV, Parquet), for messages. */
  origin: number;
}

export interface ImportSource {
  /** What `origin` counts, as messages name it. */
  unit: 'line' | 'row';
  chunks(): AsyncIterable<ImportRow[]>;
  /** Fraction read so far, 0..1. */
  fraction(): number;
}

const EXTENSIONS: [RegExp, ImportFormat][] = [
  [/\.parquet$/i, 'parquet'],
  [/\.csv$/i, 'csv'],
  [/\.(ndjson|jsonl|json)$/i, 'ndjson'],
];

function head(file: string, bytes = 4096): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** The format by content (Parquet's PAR1 magic, a JSON object, the export's CSV header), else by extension, else an error naming the three. */
export function detectFormat(file: string, chosen: string | undefined): ImportFormat {
  if (chosen !== undefined) {
    if (!(IMPORT_FORMATS as readonly string[]).includes(chosen)) throw new SightlineError('CONFIG_INVALID', `--format: import reads ${IMPORT_FORMATS.join(', ')}, not "${chosen}"`);
    return chosen as ImportFormat;
  }
  const start = head(file);
  if (start.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  const text = start.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) return 'ndjson';
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  if (firstLine.split(',').some((c) => c.trim().replace(/^"|"$/g, '') === 'agent_id')) return 'csv';
  // Content that says nothing (an empty file, a first line that is not JSON): the extension decides,
  // and the reader names what is wrong row by row.
  const byName = EXTENSIONS.find(([re]) => re.test(file))?.[1];
  if (byName !== undefined) return byName;
  throw new SightlineError(
    'CONFIG_INVALID',
    `import: cannot tell the format of ${file}: expected Parquet (starts with PAR1), NDJSON (one JSON event per line) or CSV with a header naming agent_id; pass --format ${IMPORT_FORMATS.join('|')}`,
  );
}

/** Rows per chunk a source yields. */
const CHUNK = 1_000;

export function ndjsonSource(file: string, size: number): ImportSource {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  return {
    unit: 'line',
    fraction: () => (size > 0 ? stream.bytesRead / size : 1),
    async *chunks() {
      // Lines go to the server verbatim: its decoder reports a line that is not JSON.
      let partial = '';
      let lineNo = 0;
      for await (const chunk of stream as AsyncIterable<string>) {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        const rows: ImportRow[] = [];
        for (const line of parts) {
          lineNo++;
          if (line.trim() !== '') rows.push({ line, origin: lineNo });
        }
        if (rows.length > 0) yield rows;
      }
      if (partial.trim() !== '') yield [{ line: partial, origin: lineNo + 1 }];
    },
  };
}

export function csvSource(file: string, size: number): ImportSource {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  return {
    unit: 'row',
    fraction: () => (size > 0 ? stream.bytesRead / size : 1),
    async *chunks() {
      let header: string[] | null = null;
      let row = 0;
      let rows: ImportRow[] = [];
      const csv = createCsvParser((fields) => {
        if (header === null) header = fields;
        // Text an export escaped against formula injection ('=…) comes back as it was sent.
        else rows.push({ line: JSON.stringify(csvRecordToEvent(header, fields.map(csvUnescapeFormula))), origin: ++row });
      });
      for await (const chunk of stream as AsyncIterable<string>) {
        csv.write(chunk);
        if (rows.length > 0) {
          yield rows;
          rows = [];
        }
      }
      csv.end();
      if (rows.length > 0) yield rows;
    },
  };
}

/** A Parquet row of `sightline export` as the event that produced it (as NDJSON export writes it). */
export function parquetRowToEvent(row: Record<string, unknown>): Record<string, unknown> {
  const span: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) span[k] = typeof v === 'bigint' ? Number(v) : v;
  if (typeof span.attributes === 'string') {
    try {
      span.attributes = JSON.parse(span.attributes) as unknown;
    } catch {
      // passed on as text: the server names the field and the problem
    }
  }
  span.attributes ??= {};
  return spanToEvent(span as unknown as Span);
}

/** Parquet read by DuckDB in this process, a vector (2,048 rows) at a time. */
export async function parquetSource(file: string): Promise<ImportSource> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  let total: number;
  try {
    const counted = await conn.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM read_parquet($1)', [file]);
    total = Number(counted.getRowObjectsJS()[0]?.n ?? 0);
  } catch (err) {
    conn.closeSync();
    db.closeSync();
    throw new SightlineError('CONFIG_INVALID', `import: ${file} is not a Parquet file DuckDB can read (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  let done = 0;
  return {
    unit: 'row',
    fraction: () => (total > 0 ? done / total : 1),
    async *chunks() {
      try {
        const result = await conn.stream('SELECT * FROM read_parquet($1)', [file]);
        for await (const objects of result.yieldRowObjectJs()) {
          const rows = objects.map((o, i) => ({ line: JSON.stringify(parquetRowToEvent(o)), origin: done + i + 1 }));
          done += rows.length;
          for (let i = 0; i < rows.length; i += CHUNK) yield rows.slice(i, i + CHUNK);
        }
      } finally {
        conn.closeSync();
        db.closeSync();
      }
    },
  };
}
