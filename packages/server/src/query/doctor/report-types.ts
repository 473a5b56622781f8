// The telemetry doctor's report: what GET /api/doctor answers, `sightline doctor` prints and the
// dashboard's Doctor page shows. A plain JSON-serialisable value.

import type { DoctorFinding, DoctorReport, DoctorSource, FindingTopic, Transport } from '@sightline/api';

// The reply's types are the API contract's (@sightline/api): one definition for server and dashboard.
export type { DoctorFinding, DoctorReport, DoctorSource, FindingTopic, Transport };

