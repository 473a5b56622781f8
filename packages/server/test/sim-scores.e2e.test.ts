// The simulated fleet's quality signals end to end: five hours of traffic with one quality
// incident are posted to a real server (events to /v1/events, scores to /v1/scores, as the demo
// does), and the score insight of the incident's hour finds the drop against the hours before.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFleet, simulateToArray } from '../src/sim/index.js';
import { createEventPoster } from '../src/sim/post-events.js';
import { qualityScores, type SimScore } from '../src/sim/scores.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const HOUR = 3_600_000;
let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
}, 60_000);
afterAll(async () => {
  await server?.stop({ remove: true });
});

it('posts evaluator scores and feedback, and the insight finds the scheduled quality incident', async () => {
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const from = end - 5 * HOUR;
  const fleet = createFleet({ seed: 7, agents: 2, tracesPerMinutePerAgent: 4 });
  const agent = fleet.agents[0]!.id;
  const incident = { agent, start: end - HOUR, durationMs: HOUR, drop: 0.3 };
  const events = simulateToArray(fleet, { from, to: end });
  const scores = qualityScores(events, 7, [incident]);
  // Deterministic: the same events give the same scores.
  expect(qualityScores(events, 7, [incident])).toEqual(scores);
  const target = { endpoint: server.url, apiKey: server.adminKey };
  const postEvents = createEventPoster(target);
  const postScores = createEventPoster<SimScore>({ ...target, path: '/v1/scores' });
  for (let i = 0; i < events.length; i += 5_000) await postEvents(events.slice(i, i + 5_000));
  for (let i = 0; i < scores.length; i += 5_000) await postScores(scores.slice(i, i + 5_000));

  const stored = await request(`${server.url}/api/scores/rollup?from=${from}&to=${end + HOUR}&bucket=1d&group_by=source,name`, { key: server.adminKey });
  expect(stored.status, JSON.stringify(stored.body)).toBe(200);
  const count = (name: string) => scores.filter((s) => s.name === name).length;
  expect(stored.body.rows.map((r: { group: string[]; count: number }) => [r.group, r.count])).toEqual([
    [['evaluator', 'helpfulness'], count('helpfulness')],
    [['user', 'thumbs'], count('thumbs')],
  ]);
  const insight = await request(`${server.url}/api/insights/scores?name=helpfulness&agent=${agent}&from=${end - HOUR}&to=${end}&baseline=4h`, { key: server.adminKey });
  expect(insight.status).toBe(200);
  expect(insight.body.summary).toMatch(new RegExp(`^helpfulness of agent ${agent} fell 0\\.[78]\\d → 0\\.[45]\\d \\(\\d+ scores against \\d+, p<0\\.001\\)`));
  expect(insight.body.drift.diff).toBeLessThan(-0.25);
});
