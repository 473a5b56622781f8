// `sightline demo`: the server plus a simulated fleet with scheduled incidents, so a newcomer
// sees live data (and history with incidents to explain) within seconds.

import { backfill } from '../sim/backfill.js';
import { demoFleetConfig } from '../sim/demo.js';
import { createFleet } from '../sim/fleet.js';
import { createEventPoster } from '../sim/post-events.js';
import { runLiveFleet } from '../sim/run-live.js';
import { demoQualityIncidents, qualityScores, type SimScore } from '../sim/scores.js';
import type { SimEvent } from '../sim/trace.js';
import { startSightline } from '../server.js';
import { keyRecordFor, newKeySecret } from '../http/auth.js';
import { DEFAULT_PROJECT } from '../http/routes/keys.js';
import { announce, untilSignal } from './serve.js';
import { configFromFlags, type Flags } from './flags.js';
import { SightlineError } from '../model/errors.js';

const HOUR = 3_600_000;
/** Hours of history loaded at start: enough for baselines and past incidents, loaded in seconds. */
const BACKFILL_HOURS = 6;

export async function runDemo(flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  // The demo keeps its data apart from a real ./.sightline unless told otherwise.
  // The fleet sends synthetic prompts and outputs, so the demo keeps content unless told otherwise.
  const capture = flags['capture-content'] ?? (env.SIGHTLINE_CAPTURE_CONTENT === undefined ? true : undefined);
  const demoFlags = { ...flags, data: flags.data ?? env.SIGHTLINE_DATA_DIR ?? './.sightline-demo', ...(capture !== undefined && { 'capture-content': capture }) };
  const config = configFromFlags(demoFlags, env);
  const agents = flags.agents === undefined ? undefined : Number(flags.agents);
  if (agents !== undefined && (!Number.isInteger(agents) || agents < 1 || agents > 200)) {
    throw new SightlineError('CONFIG_INVALID', `--agents: expected a whole number from 1 to 200, got "${flags.agents}"`);
  }
  const running = await startSightline(config);
  announce(running, config.data);

  // The fleet posts with its own ingest key, as a real agent would.
  const ingestKey = newKeySecret();
  await running.store.putApiKey(keyRecordFor(ingestKey, DEFAULT_PROJECT, ['ingest'], Date.now()));
  const endpoint = running.url;
  const start = Date.now();
  const fleet = createFleet(demoFleetConfig({ start, historyMs: BACKFILL_HOURS * HOUR, ...(agents !== undefined && { agents }) }));
  const controller = new AbortController();
  const signal = controller.signal;

  // Evaluator scores and user feedback of the fleet's traces, with one scheduled quality incident.
  const QUALITY_SEED = 42;
  const quality = demoQualityIncidents(fleet.agents.map((a) => a.id), start);
  const postScores = createEventPoster<SimScore>({ endpoint, apiKey: ingestKey, path: '/v1/scores' }, { signal });
  const sendScores = async (events: readonly SimEvent[]) => {
    const scores = qualityScores(events, QUALITY_SEED, quality);
    if (scores.length > 0) await postScores(scores);
  };
  const postEventsOnly = createEventPoster({ endpoint, apiKey: ingestKey }, { signal });

  let lastProblem = 0;
  const live = runLiveFleet(fleet, {
    afterPost: sendScores,
    endpoint,
    apiKey: ingestKey,
    signal,
    from: start,
    onError: (p) => {
      if (Date.now() - lastProblem > 10_000) console.error(`demo fleet: ${p.reason} (${p.events} events, ${p.action})`);
      lastProblem = Date.now();
    },
  });
  console.log(`demo fleet: ${fleet.agents.length} agents sending live traffic; incidents every 10 minutes (error spike +3 min, latency regression +6 min, new decision +8 min)`);
  if (!flags['no-backfill']) {
    const loadedFrom = Date.now();
    backfill(fleet, {
      from: start - BACKFILL_HOURS * HOUR,
      to: start,
      post: async (events) => {
        await postEventsOnly(events);
        await sendScores(events);
      },
      signal,
    }).then(
      (s) => console.log(`demo fleet: loaded ${BACKFILL_HOURS} h of history (${s.events} events) in ${((Date.now() - loadedFrom) / 1000).toFixed(1)} s`),
      (err: Error) => signal.aborted || console.error(`demo fleet: history not loaded: ${err.message}`),
    );
  }
  // A demo restarted on its old data dir still shows a usable key: a fresh one per run.
  let adminKey = running.createdAdminKey ?? config.adminKey;
  if (!adminKey) {
    adminKey = newKeySecret();
    await running.store.putApiKey(keyRecordFor(adminKey, DEFAULT_PROJECT, ['admin'], Date.now()));
    console.log(`demo admin API key for this run: ${adminKey}`);
  }
  console.log(`dashboard: ${endpoint}/ (sign in with the admin key)`);
  console.log(`api:       curl -s -H "Authorization: Bearer ${adminKey}" '${endpoint}/api/overview?range=1h'`);
  const code = await untilSignal(running, () => controller.abort());
  await live.catch(() => undefined);
  process.exit(code);
}
