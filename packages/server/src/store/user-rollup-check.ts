// The checks every backend runs on a Store.userRollups query before building its SQL.

import { SightlineError } from '../model/errors.js';
import { HOUR_MS, MINUTE_MS } from './rollup.js';
import type { UserRollupQuery } from './store.js';

export function checkUserRollupQuery(q: UserRollupQuery): void {
  if (q.bucketMs !== MINUTE_MS && q.bucketMs !== HOUR_MS) throw new SightlineError('QUERY_INVALID', `bucketMs must be 60000 or 3600000, got ${q.bucketMs}`);
  if (q.groupBy[0] !== 'user' || q.groupBy.indexOf('user', 1) > 0) throw new SightlineError('QUERY_INVALID', 'groupBy must start with "user" (once)');
  if (!Number.isInteger(q.limit) || q.limit < 1) throw new SightlineError('QUERY_INVALID', `limit must be a positive integer, got ${q.limit}`);
  if (q.filter.errors_only) throw new SightlineError('QUERY_INVALID', 'errors_only is not available here; read the errors column');
}
