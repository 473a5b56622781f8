// The global time range read from the URL: relative windows follow the clock; fixed from/to stay.
import { describe, expect, it } from 'vitest';
import { pickInterval, rangeParams, timeRange } from './time-range';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const route = (query: string) => ({ path: '/', params: new URLSearchParams(query) });

describe('pickInterval', () => {
  it('picks the finest bucket that gives at most 180 points', () => {
    const spans = [15 * 60_000, HOUR, 6 * HOUR, 24 * HOUR, 7 * 24 * HOUR, 30 * 24 * HOUR, 3650 * 24 * HOUR];
    expect(spans.map((s) => pickInterval(s).interval)).toEqual(['1m', '1m', '5m', '15m', '1h', '6h', '1d']);
  });

  it('honours a smaller point budget (the alert evidence chart asks for 40)', () => {
    expect(pickInterval(24 * HOUR, 40)).toEqual({ interval: '1h', intervalMs: HOUR });
  });
});

describe('timeRange', () => {
  it('reads a relative range that ends now', () => {
    expect(timeRange(route('range=6h'), NOW)).toEqual({ relative: true, range: '6h', from: NOW - 6 * HOUR, to: NOW, interval: '5m', intervalMs: 300_000, label: 'Last 6 hours' });
  });

  it('falls back to the last hour without a range or with an unknown one', () => {
    const hour = { relative: true, range: '1h', from: NOW - HOUR, to: NOW, interval: '1m', intervalMs: 60_000, label: 'Last hour' };
    expect(timeRange(route(''), NOW)).toEqual(hour);
    expect(timeRange(route('range=2y'), NOW)).toEqual(hour);
  });

  it('reads a fixed from/to, which wins over range', () => {
    const { label, ...rest } = timeRange(route(`range=6h&from=${NOW - 2 * HOUR}&to=${NOW}`), NOW + 5 * HOUR);
    expect(rest).toEqual({ relative: false, range: null, from: NOW - 2 * HOUR, to: NOW, interval: '1m', intervalMs: 60_000 });
    expect(label.split(' – ')).toHaveLength(2);
  });

  it('ignores a fixed range that ends before it starts', () => {
    expect(timeRange(route(`from=${NOW}&to=${NOW - HOUR}`), NOW).relative).toBe(true);
  });
});

describe('rangeParams', () => {
  it('sends range=… for a relative window and from/to for a fixed one', () => {
    expect(rangeParams(timeRange(route('range=24h'), NOW))).toEqual({ range: '24h' });
    expect(rangeParams(timeRange(route(`from=1000&to=${1000 + HOUR}`), NOW))).toEqual({ from: '1000', to: String(1000 + HOUR) });
  });
});
