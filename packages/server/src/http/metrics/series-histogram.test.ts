// SeriesHistogram is exposed exactly as prom-client's Histogram exposes the same observations:
// values on a bound, between bounds, above every bound, several label sets, label values that
// need escaping, and after a reset.

import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesHistogram } from './series-histogram.js';

const BUCKETS = [0.01, 0.1, 1, 10];
const OBSERVED: [Record<string, string>, number[]][] = [
  [{ agent: 'a', model: 'gpt-4o' }, [0, 0.01, 0.05, 0.1, 1, 9.99, 10, 10.01, 1e9]],
  [{ agent: 'b "quoted"\\', model: '' }, [0.5, 0.5, 3]],
  [{ agent: 'c', model: 'line\nbreak' }, []],
];

async function exposition(make: (registry: Registry) => { labels(l: Record<string, string>): { observe(v: number): void } }): Promise<string[]> {
  const registry = new Registry();
  const histogram = make(registry);
  const series = OBSERVED.map(([labels]) => histogram.labels(labels));
  OBSERVED.forEach(([, values], i) => values.forEach((v) => series[i]!.observe(v)));
  const first = await registry.metrics();
  registry.resetMetrics();
  series[1]!.observe(0.2);
  return [first, await registry.metrics()];
}

describe('SeriesHistogram', () => {
  it('exposes the same text as prom-client Histogram, before and after a reset', async () => {
    const ours = await exposition((registry) => new SeriesHistogram({ name: 'h_seconds', help: 'Help.', buckets: BUCKETS, registers: [registry] }));
    const theirs = await exposition((registry) => {
      const h = new Histogram({ name: 'h_seconds', help: 'Help.', labelNames: ['agent', 'model'], buckets: BUCKETS, registers: [registry] });
      return { labels: (l) => h.labels(l) };
    });
    expect(ours[0]).toBe(theirs[0]);
    expect(ours[0]).toContain('h_seconds_bucket{le="0.01",agent="a",model="gpt-4o"} 2\n');
    expect(ours[0]).toContain('h_seconds_bucket{le="+Inf",agent="a",model="gpt-4o"} 9\n');
    expect(ours[0]).not.toContain('agent="c"'); // never observed
    expect(ours[1]).toBe(theirs[1]);
    expect(ours[1]).not.toContain('agent="a"'); // reset, not observed since
    expect(ours[1]).toContain('h_seconds_count{agent="b \\"quoted\\"\\\\",model=""} 1');
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    const h = new SeriesHistogram({ name: 'x', help: 'x', buckets: BUCKETS, registers: [] });
    expect(() => h.labels({ agent: 'a' }).observe(Number.NaN)).toThrow('Value is not a valid number: NaN');
  });
});
