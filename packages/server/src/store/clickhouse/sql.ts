// SQL literals for ClickHouse 18.16, which has no query parameters over HTTP: every value that
// reaches SQL goes through one of these, so user input is always a quoted literal.

import { SightlineError } from '../../model/errors.js';

/** A ClickHouse string literal: backslash and quote escaped. */
export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An integer literal (ms timestamps, counts); rejects NaN and infinities. */
export function int(value: number): string {
  if (!Number.isFinite(value)) throw new SightlineError('QUERY_INVALID', `expected a finite number, got ${value}`);
  return String(Math.trunc(value));
}

/** A UInt64 literal for ms timestamps: floored, never negative. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) throw new SightlineError('QUERY_INVALID', `expected a timestamp in ms, got ${value}`);
  return String(Math.max(0, Math.floor(value)));
}

/** A Float64 literal. */
export function float(value: number): string {
  if (!Number.isFinite(value)) throw new SightlineError('QUERY_INVALID', `expected a finite number, got ${value}`);
  return `toFloat64(${JSON.stringify(value)})`;
}

/** Database names become identifiers, so they are restricted to a safe alphabet. */
export function identifier(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new SightlineError('CONFIG_INVALID', `store: ${what} "${name}" must be letters, digits and underscores`);
  }
  return name;
}
