// Sessions and users. /sessions: conversations most recently active first (turns, agents, cost,
// errors, duration, user) and end users ranked by cost or errors, each linking to their traces.
// /sessions/{id}: one conversation's traces in order, turn by turn, with the scores of each turn,
// and every score of the session and its traces.

import type { Score, SessionScoresReply, SessionSummary, TraceSummary, UserSummary } from '@sightline/api';
import { formatScoreValue } from '@sightline/api';
import { qs } from '../api/client';
import { TextFilter } from '../components/filters';
import { Panel } from '../components/panel';
import { ScoreTable } from '../components/score-table';
import { fmtAgo, fmtDateTime, fmtMs, fmtUsd } from '../format';
import { hrefWith, setParams, useRoute } from '../state/route';
import { rangeParams, timeRange } from '../state/time-range';
import { useApi, useLiveTick } from '../state/use-api';

const errorsBadge = (n: number) =>
  n > 0 ? <span class="badge bad">{n} error{n === 1 ? '' : 's'}</span> : <span class="badge good">ok</span>;

/** A link to the trace list filtered by one parameter, keeping the time range. */
const tracesOf = (param: 'session_id' | 'user_id', value: string) => hrefWith('/traces', ['range', 'from', 'to'], { [param]: value });

function SessionTable({ sessions }: { sessions: SessionSummary[] }) {
  return (
    <div class="table-wrap">
      <table aria-label="Sessions">
        <thead>
          <tr>
            <th>Session</th>
            <th>User</th>
            <th>Agents</th>
            <th class="num">Turns</th>
            <th>Started</th>
            <th class="num">Duration</th>
            <th class="num">Cost</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.session_id} class={s.error_count > 0 ? 'has-error' : ''}>
              <td>
                <a href={hrefWith(`/sessions/${encodeURIComponent(s.session_id)}`)} data-session={s.session_id}>
                  {s.session_id}
                </a>
              </td>
              <td>{s.user_id === null ? '—' : <a href={tracesOf('user_id', s.user_id)}>{s.user_id}</a>}</td>
              <td>{s.agents.join(', ')}</td>
              <td class="num">{s.turns}</td>
              <td>{fmtDateTime(s.start)}</td>
              <td class="num">{fmtMs(s.end - s.start)}</td>
              <td class="num">{fmtUsd(s.cost_usd)}</td>
              <td>{errorsBadge(s.error_count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function UserTable({ users }: { users: UserSummary[] }) {
  return (
    <div class="table-wrap">
      <table aria-label="Users">
        <thead>
          <tr>
            <th>User</th>
            <th class="num">Cost</th>
            <th class="num">Errors</th>
            <th class="num">Sessions</th>
            <th class="num">Traces</th>
            <th class="num">Tokens</th>
            <th>Last seen</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.user_id}>
              <td>
                <a href={tracesOf('user_id', u.user_id)} data-user={u.user_id}>
                  {u.user_id}
                </a>
              </td>
              <td class="num">{fmtUsd(u.cost_usd)}</td>
              <td class="num">{u.error_count.toLocaleString('en-US')}</td>
              <td class="num">{u.sessions.toLocaleString('en-US')}</td>
              <td class="num">{u.traces.toLocaleString('en-US')}</td>
              <td class="num">{u.tokens.toLocaleString('en-US')}</td>
              <td>{fmtAgo(u.last_seen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SessionsPage() {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const range = rangeParams(t);
  const agent = route.params.get('agent');
  const user = route.params.get('user_id');
  const rank = route.params.get('rank') === 'errors' ? 'errors' : 'cost';
  const sessions = useApi<{ sessions: SessionSummary[] }>(`/api/sessions${qs({ ...range, agent, user_id: user, limit: 100 })}`, tick);
  const users = useApi<{ users: UserSummary[] }>(`/api/users${qs({ ...range, agent, order: rank, limit: 20 })}`, tick);
  return (
    <div class="page">
      <h1>Sessions</h1>
      <form class="filters" aria-label="Session filters" onSubmit={(e) => e.preventDefault()}>
        <TextFilter name="agent" label="Agent" placeholder="support-1" />
        <TextFilter name="user_id" label="User" placeholder="user-42" />
        <label class="filter">
          Rank users by
          <select name="rank" value={rank} onChange={(e) => setParams({ rank: (e.target as HTMLSelectElement).value === 'errors' ? 'errors' : null })}>
            <option value="cost">cost</option>
            <option value="errors">errors</option>
          </select>
        </label>
      </form>
      <Panel title={`Users by ${rank}`} load={users} wide isEmpty={(r) => r.users.length === 0} empty="No span in this time range names a user (user_id).">
        {(r) => <UserTable users={r.users} />}
      </Panel>
      <Panel title="Sessions" load={sessions} wide isEmpty={(r) => r.sessions.length === 0} empty="No span in this time range names a session (session_id).">
        {(r) => <SessionTable sessions={r.sessions} />}
      </Panel>
    </div>
  );
}

/** "helpfulness 0.8 · thumbs yes": a turn's scores in one cell, oldest first. */
function scoreLine(scores: Score[] | undefined): string {
  if (!scores || scores.length === 0) return '—';
  return [...scores].reverse().map((s) => `${s.name} ${formatScoreValue(s.kind, s.value, s.label)}`).join(' · ');
}

function TurnTable({ traces, scoresOf }: { traces: TraceSummary[]; scoresOf: ReadonlyMap<string, Score[]> }) {
  return (
    <div class="table-wrap">
      <table aria-label="Turns">
        <thead>
          <tr>
            <th class="num">Turn</th>
            <th>Started</th>
            <th>Agent</th>
            <th>Root</th>
            <th>Decisions</th>
            <th class="num">Duration</th>
            <th class="num">Cost</th>
            <th>Status</th>
            <th>Scores</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t, i) => (
            <tr key={t.trace_id} class={t.error_count > 0 ? 'has-error' : ''}>
              <td class="num">{i + 1}</td>
              <td>
                <a href={hrefWith(`/traces/${encodeURIComponent(t.trace_id)}`, undefined, { at: String(t.start) })} data-trace={t.trace_id}>
                  {fmtDateTime(t.start)}
                </a>
              </td>
              <td>{t.agent_id}</td>
              <td>{t.root_name ?? '—'}</td>
              <td class="path">{t.decisions.join(' → ') || '—'}</td>
              <td class="num">{fmtMs(t.duration_ms)}</td>
              <td class="num">{fmtUsd(t.cost_usd)}</td>
              <td>{errorsBadge(t.error_count)}</td>
              <td class="turn-scores">{scoreLine(scoresOf.get(t.trace_id))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Scores by the trace they judge (trace and span scores; session scores have none). */
function byTrace(scores: Score[]): Map<string, Score[]> {
  const out = new Map<string, Score[]>();
  for (const s of scores) if (s.trace_id !== null && s.target !== 'session') out.set(s.trace_id, [...(out.get(s.trace_id) ?? []), s]);
  return out;
}

export function SessionPage({ id }: { id: string }) {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const range = rangeParams(t);
  const summary = useApi<{ sessions: SessionSummary[] }>(`/api/sessions${qs({ ...range, session_id: id, limit: 1 })}`, tick);
  const traces = useApi<{ traces: TraceSummary[] }>(`/api/traces${qs({ ...range, session_id: id, limit: 1000 })}`, tick);
  const scores = useApi<SessionScoresReply>(`/api/sessions/${encodeURIComponent(id)}/scores`, tick);
  const scoresOf = scores.status === 'ok' ? byTrace(scores.data.scores) : new Map<string, Score[]>();
  // Turn numbers of the traces in range, oldest first, for the scores table.
  const turns = new Map(traces.status === 'ok' ? [...traces.data.traces].reverse().map((t, i) => [t.trace_id, i + 1] as const) : []);
  const turnOf = (s: Score) => (s.target === 'session' ? 'session' : s.trace_id !== null && turns.has(s.trace_id) ? `turn ${turns.get(s.trace_id)}` : `trace ${s.trace_id ?? '—'}`);
  return (
    <div class="page">
      <p>
        <a href={hrefWith('/sessions')}>← Sessions</a>
      </p>
      <h1>
        Session <code>{id}</code>
      </h1>
      <Panel title="Summary" load={summary} wide isEmpty={(r) => r.sessions.length === 0} empty="This session has no spans in this time range.">
        {(r) => {
          const s = r.sessions[0]!;
          return (
            <p class="session-summary">
              {s.turns} turn{s.turns === 1 ? '' : 's'} · {fmtUsd(s.cost_usd)} · {s.error_count} error{s.error_count === 1 ? '' : 's'} · {fmtMs(s.end - s.start)} · user{' '}
              {s.user_id === null ? '—' : <a href={tracesOf('user_id', s.user_id)}>{s.user_id}</a>}
            </p>
          );
        }}
      </Panel>
      <Panel title="Turns, in order" load={traces} wide isEmpty={(r) => r.traces.length === 0} empty="This session has no traces in this time range.">
        {(r) => <TurnTable traces={[...r.traces].reverse()} scoresOf={scoresOf} />}
      </Panel>
      <Panel title="Scores" load={scores} wide isEmpty={(r) => r.scores.length === 0} empty="No score judges this session or its traces yet.">
        {(r) => <ScoreTable scores={r.scores} label="Session scores" turnOf={turnOf} />}
      </Panel>
    </div>
  );
}
