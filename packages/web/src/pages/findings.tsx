// Correlated findings from the insight engine (/api/insights/correlations), each one plain
// sentence with its numbers, as the server words it.

import type { CorrelatedFinding } from '@sightline/api';

export type { CorrelationReport as FindingsReply } from '@sightline/api';

export function FindingList({ findings }: { findings: CorrelatedFinding[] }) {
  return (
    <ol class="findings">
      {findings.map((f, i) => (
        <li key={i} data-finding={i} data-score={f.score}>
          {f.sentence}
        </li>
      ))}
    </ol>
  );
}
