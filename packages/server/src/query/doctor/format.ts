// Numbers as the doctor's sentences print them: shares as percentages that never round a part to
// all or none, durations with a unit.

/**
 * `part` of `whole` as a percentage: whole numbers from 10 %, one decimal below (and above 99 %),
 * never "0 %" for a part above zero nor "100 %" for less than all.
 * @example percent(42, 100) // → '42 %'; percent(1, 3000) // → '0.1 %'
 */
export function percent(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return '0 %';
  if (part >= whole) return '100 %';
  const p = (part / whole) * 100;
  if (p < 0.1) return '0.1 %';
  if (p > 99) return `${Math.min(99.9, Math.floor(p * 10) / 10)} %`;
  return p < 10 ? `${Math.round(p * 10) / 10} %` : `${Math.round(p)} %`;
}

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
