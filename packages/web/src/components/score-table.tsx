// A list of scores as the trace, span and session views show them: what was judged, the value with
// its kind, who judged (source and author), their comment and when. Comments and names are text
// from users and evaluators: rendered as text, never as HTML.

import type { Score } from '@sightline/api';
import { formatScoreValue } from '@sightline/api';
import { fmtDateTime } from '../format';

/** "trace", "span lookup" (with the span's name when known), "session". */
function targetOf(s: Score, spanNames: ReadonlyMap<string, string>): string {
  if (s.target === 'span') return `span ${spanNames.get(s.span_id ?? '') ?? s.span_id ?? ''}`.trim();
  return s.target;
}

export interface ScoreTableProps {
  scores: Score[];
  label: string;
  /** Names of the trace's spans by id, for span scores; leave out the column where every score judges one thing. */
  spanNames?: ReadonlyMap<string, string>;
  /** A first column saying which turn (trace) of a session a score judges. */
  turnOf?: (s: Score) => string;
}

export function ScoreTable({ scores, label, spanNames, turnOf }: ScoreTableProps) {
  return (
    <div class="table-wrap">
      <table aria-label={label} class="scores">
        <thead>
          <tr>
            {turnOf && <th>Turn</th>}
            {spanNames && <th>Judges</th>}
            <th>Name</th>
            <th class="num">Value</th>
            <th>Kind</th>
            <th>Source</th>
            <th>Comment</th>
            <th>Author</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody>
          {scores.map((s) => (
            <tr key={s.score_id} data-score={s.score_id}>
              {turnOf && <td>{turnOf(s)}</td>}
              {spanNames && <td>{targetOf(s, spanNames)}</td>}
              <td>{s.name}</td>
              <td class="num">{formatScoreValue(s.kind, s.value, s.label)}</td>
              <td>{s.kind}</td>
              <td>{s.source}</td>
              <td class="comment">{s.comment ?? '—'}</td>
              <td>{s.author ?? '—'}</td>
              <td>{fmtDateTime(s.timestamp)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
