// The agent page's score chart data: a rollup by name turned into one mean series per numeric score.

import type { ScoreRollupReply, Series } from '@sightline/api';

/**
 * Each numeric score name's mean per bucket (booleans: the share of yes), one series per name, on
 * every bucket of the range: a bucket without scores is a gap in the line, not a slope across it.
 */
export function meanSeries(r: ScoreRollupReply): Series[] {
  const byName = new Map<string, Map<number, number>>();
  for (const row of r.rows) {
    if (row.mean === null) continue;
    const name = row.group[0] ?? '(none)';
    byName.set(name, (byName.get(name) ?? new Map<number, number>()).set(row.bucket, row.mean));
  }
  const buckets: number[] = [];
  for (let b = Math.floor(r.from / r.bucket_ms) * r.bucket_ms; b < r.to; b += r.bucket_ms) buckets.push(b);
  return [...byName.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([group, means]) => ({ group, points: buckets.map((b): [number, number | null] => [b, means.get(b) ?? null]) }));
}
