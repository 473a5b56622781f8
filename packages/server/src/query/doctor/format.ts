// Numbers as the doctor's sentences print them: shares as percentages that never round a part to
// all or none (@sightline/api's formatShareOf), durations with a unit.

import { formatShareOf } from '@sightline/api';

/** `part` of `whole` as a percentage, from the one formatter (@sightline/api): '42%', '0.1%', '99.9%'. */
export const percent = formatShareOf;

/**
 * A duration in ms, as a person reads it: ms below 1 s, s below 2 min, min below 2 h, then h.
 * @example duration(2_400) // → '2.4 s'
 */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1_000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 120_000) return `${sign}${round1(abs / 1_000)} s`;
  if (abs < 7_200_000) return `${sign}${round1(abs / 60_000)} min`;
  return `${sign}${round1(abs / 3_600_000)} h`;
}

const round1 = (x: number): number => (x >= 10 ? Math.round(x) : Math.round(x * 10) / 10);

/** "1 span", "2 spans". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`;
}
