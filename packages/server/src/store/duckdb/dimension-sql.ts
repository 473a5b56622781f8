// Dimensions and span filters as SQL, shared by every DuckDB read of rollups or spans (their
// tables share the dimension columns). Dimension names come from the fixed DIMENSION_COLUMN map
// and are checked at runtime (requests cross a thread boundary); values are bound parameters.

import type { DuckDBValue } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import { DIMENSIONS, DIMENSION_COLUMN, type Dimension } from '../../model/span.js';
import type { SpanFilter } from '../span-store.js';

export function dimensionColumn(d: Dimension): string {
  if (!(DIMENSIONS as readonly string[]).includes(d)) {
    throw new SightlineError('QUERY_INVALID', `unknown dimension "${String(d)}"; use one of ${DIMENSIONS.join(', ')}`);
  }
  return `"${DIMENSION_COLUMN[d]}"`;
}

/** Appends `AND column = ?` conditions for a span filter; rollup and span tables share columns. */
export function filterConditions(filter: SpanFilter, where: string[], params: DuckDBValue[]): void {
  const equal: [keyof SpanFilter, Dimension][] = [
    ['agent', 'agent'],
    ['model', 'model'],
    ['decision', 'decision'],
    ['span_type', 'span_type'],
    ['provider', 'provider'],
  ];
  for (const [field, dim] of equal) {
    const value = filter[field];
    if (value === undefined) continue;
    where.push(`${dimensionColumn(dim)} = ?`);
    params.push(String(value));
  }
  if (filter.has_decision) where.push('decision_made IS NOT NULL');
}
