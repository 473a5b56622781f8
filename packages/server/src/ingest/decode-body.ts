// Decodes a native events request body (JSON object, JSON array or NDJSON; optionally gzip,
// deflate or brotli) into raw event values, with a hard cap on decompressed size.

import { isUtf8 } from 'node:buffer';
import type { IngestLimits } from '../model/limits.js';
import { decompress, mediaTypeOf as headerMediaType } from './decompress.js';

/**
 * Stands in for an NDJSON line that is not valid JSON, so the rest of the request still goes
 * through; the pipeline rejects it at its position as `line N: invalid JSON: …`.
 */
export class UndecodableEvent {
  constructor(
    /** 1-based line number in the decoded body. */
    readonly line: number,
    /** The JSON parser's explanation. */
    readonly reason: string,
  ) {}

  get message(): string {
    return `line ${this.line}: ${this.reason.startsWith('invalid UTF-8') ? '' : 'invalid JSON: '}${this.reason}`;
  }
}

/**
 * Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF), or -1. Decoding would silently turn it into U+FFFD.
 */
export function invalidUtf8At(b: Uint8Array): number {
  if (isUtf8(b)) return -1;
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) return i;
    const second = b[i + 1]!;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

const utf8Problem = (at: number) => `invalid UTF-8: byte ${at} is not part of a UTF-8 character (send text as UTF-8)`;

export type DecodedBody =
  | { ok: true; events: unknown[] }
  | { ok: false; status: 400 | 413 | 415; message: string };

type Limits = Pick<IngestLimits, 'maxBodyBytes' | 'maxEventsPerRequest'>;

const JSON_TYPES = new Set(['application/json']);
const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines']);
const ACCEPTED_TYPES = 'application/json, application/x-ndjson, application/ndjson, application/jsonl, application/x-jsonlines';
/** A missing Content-Type means JSON, the common case for hand-written clients. */
function mediaTypeOf(contentType: string | undefined): string {
  return headerMediaType(contentType) || 'application/json';
}

function tooManyEvents(count: number, limits: Limits): DecodedBody {
  return { ok: false, status: 413, message: `${count} events exceeds the limit of ${limits.maxEventsPerRequest} per request (maxEventsPerRequest)` };
}

function decodeJson(text: string, limits: Limits): DecodedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, status: 400, message: `invalid JSON: ${(err as Error).message}` };
  }
  if (Array.isArray(value)) {
    return value.length > limits.maxEventsPerRequest ? tooManyEvents(value.length, limits) : { ok: true, events: value };
  }
  if (typeof value === 'object' && value !== null) return { ok: true, events: [value] };
  return { ok: false, status: 400, message: `body must be a JSON object or an array of objects, got ${value === null ? 'null' : typeof value}` };
}

function decodeNdjson(text: string, limits: Limits): DecodedBody {
  const events: unknown[] = [];
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const content = text.slice(start, end).trim();
    start = end + 1;
    if (content === '') continue;
    if (events.length === limits.maxEventsPerRequest) return tooManyEvents(events.length + 1 + countLines(text, start), limits);
    try {
      events.push(JSON.parse(content));
    } catch (err) {
      events.push(new UndecodableEvent(line, (err as Error).message));
    }
  }
  return { ok: true, events };
}

/** Non-blank lines from `start` on, only to name the event count in a 413. */
function countLines(text: string, start: number): number {
  let count = 0;
  for (const line of text.slice(start).split('\n')) if (line.trim() !== '') count++;
  return count;
}

/**
 * Decodes a native events body into raw events for the ingest pipeline.
 * Missing Content-Type means JSON. Statuses: 400 malformed or empty, 413 over a limit,
 * 415 unsupported Content-Type or Content-Encoding.
 * @example
 * decodeEventsBody(Buffer.from('{"agent_id":"a"}\n{"agent_id":"b"}'), 'application/x-ndjson', undefined, DEFAULT_LIMITS)
 * // → { ok: true, events: [{ agent_id: 'a' }, { agent_id: 'b' }] }
 */
export function decodeEventsBody(
  body: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  limits: Limits,
): DecodedBody {
  const mediaType = mediaTypeOf(contentType);
  const ndjson = NDJSON_TYPES.has(mediaType);
  if (!ndjson && !JSON_TYPES.has(mediaType)) {
    return { ok: false, status: 415, message: `unsupported Content-Type ${JSON.stringify(mediaType)}; accepted: ${ACCEPTED_TYPES}` };
  }
  if (body.byteLength === 0) return { ok: false, status: 400, message: 'empty body: send a JSON object, a JSON array or NDJSON lines' };
  const decompressed = decompress(body, contentEncoding, limits.maxBodyBytes);
  if (!decompressed.ok) return decompressed;
  const bytes = decompressed.bytes;
  const invalidAt = invalidUtf8At(bytes);
  if (invalidAt >= 0) {
    // NDJSON: only the lines holding invalid bytes are rejected (0x0A is never inside a character).
    if (!ndjson) return { ok: false, status: 400, message: `body is ${utf8Problem(invalidAt)}` };
    return decodeNdjsonBytes(bytes, limits);
  }
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { ok: false, status: 400, message: 'empty body: send a JSON object, a JSON array or NDJSON lines' };
  return ndjson ? decodeNdjson(text, limits) : decodeJson(text, limits);
}

/** NDJSON that holds invalid UTF-8: decodes line by line, a line with invalid bytes becomes an UndecodableEvent. */
function decodeNdjsonBytes(bytes: Uint8Array, limits: Limits): DecodedBody {
  const parts: string[] = [];
  const invalid = new Map<number, number>();
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const slice = bytes.subarray(start, end);
    const at = invalidUtf8At(slice);
    if (at >= 0) invalid.set(line, at);
    // A stand-in that is not blank keeps the line counted; its event is replaced below.
    parts.push(at >= 0 ? 'null' : Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength).toString('utf8'));
    start = end + 1;
  }
  if (parts[0]!.charCodeAt(0) === 0xfeff) parts[0] = parts[0]!.slice(1);
  const decoded = decodeNdjson(parts.join('\n'), limits);
  if (!decoded.ok) return decoded;
  // Map events back to lines: blank lines yield no event.
  const events: unknown[] = [];
  let e = 0;
  parts.forEach((text, i) => {
    if (text.trim() === '') return;
    const line = i + 1;
    const at = invalid.get(line);
    events.push(at === undefined ? decoded.events[e] : new UndecodableEvent(line, utf8Problem(at)));
    e++;
  });
  return { ok: true, events };
}
