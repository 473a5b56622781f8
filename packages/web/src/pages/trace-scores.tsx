// The trace page's scores: every score of the trace and of its spans (the selected span's also in
// its detail pane), and the reviewer's form. The server says whether this key may score
// (annotate or admin scope); a key that may not sees why instead of a form. A stored score shows
// at once (the server's reply is merged in) and the list is then read again.

import { useState } from 'preact/hooks';
import type { Score, ScoreCreatedReply, TraceScoresReply } from '@sightline/api';
import { ApiError, sendJson } from '../api/client';
import { StateView } from '../components/panel';
import { ScoreTable } from '../components/score-table';
import type { Load } from '../state/use-api';

/** Scores just stored first, then those read, each id once (a re-read replaces nothing twice). */
export function mergeScores(added: Score[], read: Score[]): Score[] {
  const seen = new Set(added.map((s) => s.score_id));
  return [...added, ...read.filter((s) => !seen.has(s.score_id))];
}

type Kind = 'number' | 'boolean' | 'category';

/** The body's value for a kind, or a sentence saying what is wrong with the text. */
function valueOf(kind: Kind, text: string): { ok: true; value: number | boolean | string } | { ok: false; message: string } {
  const t = text.trim();
  if (kind === 'boolean') return { ok: true, value: t === 'yes' };
  if (t === '') return { ok: false, message: kind === 'number' ? 'Enter a number, e.g. 0.8.' : 'Enter a category, e.g. resolved.' };
  if (kind === 'category') return { ok: true, value: t };
  const n = Number(t);
  return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: `The value must be a number, got "${t}".` };
}

function ReviewerForm({ traceId, names, onStored }: { traceId: string; names: string[]; onStored: (s: Score) => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('number');
  const [value, setValue] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const submit = async () => {
    if (name.trim() === '') return setMessage({ error: true, text: 'Name the score first, e.g. correctness.' });
    const v = valueOf(kind, kind === 'boolean' && value === '' ? 'yes' : value);
    if (!v.ok) return setMessage({ error: true, text: v.message });
    setBusy(true);
    try {
      const body = { name: name.trim(), value: v.value, ...(comment.trim() !== '' && { comment: comment.trim() }) };
      const reply = await sendJson<ScoreCreatedReply>('POST', `/api/traces/${encodeURIComponent(traceId)}/scores`, body);
      onStored(reply.score);
      setValue('');
      setComment('');
      setMessage({ error: false, text: `Stored ${reply.score.name}.` });
    } catch (e) {
      setMessage({ error: true, text: e instanceof ApiError ? e.message : 'The server did not answer.' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="score-form"
      aria-label="Score this trace"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        Name
        <input name="score-name" list="score-names" value={name} maxLength={256} placeholder="correctness" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <datalist id="score-names">
        {names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <label>
        Kind
        <select name="score-kind" value={kind} onChange={(e) => {
            setKind((e.target as HTMLSelectElement).value as Kind);
            setValue('');
          }}>
          <option value="number">number</option>
          <option value="boolean">yes / no</option>
          <option value="category">category</option>
        </select>
      </label>
      <label>
        Value
        {kind === 'boolean' ? (
          <select name="score-value" value={value || 'yes'} onChange={(e) => setValue((e.target as HTMLSelectElement).value)}>
            <option value="yes">yes</option>
            <option value="no">no</option>
          </select>
        ) : (
          <input name="score-value" value={value} inputMode={kind === 'number' ? 'decimal' : 'text'} placeholder={kind === 'number' ? '0.8' : 'resolved'} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        )}
      </label>
      <label class="grow">
        Comment
        <input name="score-comment" value={comment} maxLength={4096} placeholder="optional" onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Storing…' : 'Add score'}
      </button>
      {message && (
        <p class={message.error ? 'form-error' : 'muted'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

export interface TraceScoresProps {
  traceId: string;
  load: Load<TraceScoresReply>;
  added: Score[];
  onStored: (s: Score) => void;
  spanNames: ReadonlyMap<string, string>;
}

export function TraceScores({ traceId, load, added, onStored, spanNames }: TraceScoresProps) {
  return (
    <section class="panel wide" aria-label="Scores" data-state={load.status}>
      <header>
        <h2>Scores</h2>
      </header>
      <StateView load={load}>
        {(r) => {
          const scores = mergeScores(added, r.scores);
          return (
            <>
              {scores.length === 0 ? <p class="state empty">No score judges this trace or its spans yet.</p> : <ScoreTable scores={scores} label="Trace scores" spanNames={spanNames} />}
              {r.can_score ? (
                <ReviewerForm traceId={traceId} names={[...new Set(scores.map((s) => s.name))].sort()} onStored={onStored} />
              ) : (
                <p class="muted small score-form-off" role="note">
                  You cannot score this trace: {r.cannot_score_reason}.
                </p>
              )}
            </>
          );
        }}
      </StateView>
    </section>
  );
}
