// The doctor figures' one order (doctor-reads.ts), applied by every backend after its reads so
// ties and text order (UTF-8 bytes, nulls first) come out the same everywhere.

import type { DoctorFigures, DoctorSourceKey } from './doctor-reads.js';
import { compareUtf8 } from './text-order.js';

const nullable = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : compareUtf8(a, b));

export function compareSourceKeys(a: DoctorSourceKey, b: DoctorSourceKey): number {
  return (
    compareUtf8(a.service, b.service) ||
    nullable(a.scope, b.scope) ||
    nullable(a.scope_version, b.scope_version) ||
    nullable(a.sdk, b.sdk) ||
    nullable(a.sdk_version, b.sdk_version)
  );
}

export function orderDoctorFigures(f: DoctorFigures): DoctorFigures {
  return {
    sources: [...f.sources].sort((a, b) => b.spans - a.spans || compareSourceKeys(a, b)),
    unpriced_models: [...f.unpriced_models].sort((a, b) => b.spans - a.spans || compareUtf8(a.model, b.model) || nullable(a.provider, b.provider)),
    unread_attributes: [...f.unread_attributes].sort((a, b) => b.spans - a.spans || compareUtf8(a.attribute, b.attribute) || compareSourceKeys(a, b)),
    orphan_examples: [...f.orphan_examples].sort((a, b) => b.timestamp - a.timestamp || compareUtf8(a.span_id, b.span_id)),
  };
}
