// A Prometheus histogram for the per-agent metrics, observed on every committed span. prom-client's
// Histogram re-validates and re-hashes the label set on every observe, even through a child from
// labels() (~1 µs a value, three values per LLM span: the largest ingest cost on the HTTP thread
// after JSON.parse). Here a label set is resolved once into a series, and observing is a bucket
// search and two additions. It registers in a prom-client Registry as a metric whose get() returns
// the same values prom-client's Histogram returns, so the exposition is byte for byte the same.

import type { Registry } from 'prom-client';

/** One line of the exposition, as prom-client's registry formats it (labels first, then sharedLabels). */
interface ExposedValue {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}

export interface SeriesHistogramOptions {
  name: string;
  help: string;
  /** Upper bounds, ascending. */
  buckets: readonly number[];
  registers: Registry[];
}

export interface HistogramSeries {
  observe(value: number): void;
}

interface Series {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last slot counts values above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class SeriesHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly bounds: readonly number[];
  private readonly series = new Map<string, Series>();
  /** Bumped by reset(), so label sets resolved before it find their new series. */
  private generation = 0;

  constructor(opts: SeriesHistogramOptions) {
    this.name = opts.name;
    this.help = opts.help;
    this.bounds = opts.buckets;
    // The registry only calls get() (and reset() on resetMetrics); its type names its own classes.
    for (const r of opts.registers) r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series of one label set; like prom-client's, it is exposed from its first observation on. */
  labels(labels: Record<string, string>): HistogramSeries {
    const key = JSON.stringify(labels);
    const all = this.series;
    const bounds = this.bounds;
    let series: Series | undefined;
    let generation = -1;
    return {
      observe: (value: number): void => {
        if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
        if (generation !== this.generation) {
          series = all.get(key) ?? { labels: { ...labels }, counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
          all.set(key, series);
          generation = this.generation;
        }
        // First bound ≥ value (prom-client's `le` semantics); bounds.length when above all.
        let lo = 0;
        let hi = bounds.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (value <= bounds[mid]!) hi = mid;
          else lo = mid + 1;
        }
        series!.counts[lo]! += 1;
        series!.sum += value;
        series!.count += 1;
      },
    };
  }

  get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: ExposedValue[] }> {
    const values: ExposedValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ labels: { le }, value: cumulative, metricName: bucket, sharedLabels: s.labels });
      });
      values.push({ labels: { le: '+Inf' }, value: s.count, metricName: bucket, sharedLabels: s.labels });
      values.push({ labels: {}, value: s.sum, metricName: `${this.name}_sum`, sharedLabels: s.labels });
      values.push({ labels: {}, value: s.count, metricName: `${this.name}_count`, sharedLabels: s.labels });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Forgets every series, as prom-client's reset does; resolved label sets start a new one when next observed. */
  reset(): void {
    this.series.clear();
    this.generation++;
  }
}
