// Small, allocation-light helpers for validating one event field: describing a bad value,
// parsing timestamps, truncating UTF-8 text and generating ids.

import { randomBytes } from 'node:crypto';

/** How a bad value is shown in a problem message: short, never the whole payload. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? 'an array' : 'an object';
    default:
      return typeof value;
  }
}

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/**
 * Parses an ISO-8601 date or date-time to ms since epoch, or returns null.
 * No offset means UTC (never the server's local zone); fractions below 1 ms are truncated.
 * @example parseIsoTimestamp('2025-03-01T12:00:00.250+01:00') // 1740826800250
 */
export function parseIsoTimestamp(text: string): number | null {
  const m = ISO_8601.exec(text);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const offH = Number(m[10]);
    const offM = Number(m[11]);
    if (offH > 23 || offM > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}

const encoder = new TextEncoder();
const TRUNCATION_MARK = '…[truncated]';
const TRUNCATION_MARK_BYTES = 14;

/**
 * Returns `text` unchanged when it fits in `maxBytes` UTF-8 bytes; otherwise its longest prefix
 * (never splitting a character) followed by `…[truncated]`, the whole within `maxBytes`.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: most strings are decided without encoding.
  if (text.length * 3 <= maxBytes) return text;
  if (text.length <= maxBytes && Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const room = Math.max(0, maxBytes - TRUNCATION_MARK_BYTES);
  const { read } = encoder.encodeInto(text, new Uint8Array(room));
  return text.slice(0, read) + TRUNCATION_MARK;
}

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolPos = 0;

/** Random lowercase hex id of `bytes` bytes (16 for a trace id, 8 for a span id), from a pooled CSPRNG buffer. */
export function randomHexId(bytes: number): string {
  if (poolPos + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolPos = 0;
  }
  let id = '';
  for (let i = 0; i < bytes; i++) id += HEX_BYTE[pool[poolPos++] as number];
  return id;
}
