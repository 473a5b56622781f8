// `npm run bench`: every benchmark in one run, each printing a markdown table. Figures are
// compared as ratios within this run (the machine is shared and noisy), never asserted.
// Options: --quick (1M spans only, 5 s loads), --spans 1000000,10000000

import { parseArgs } from 'node:util';
import { ingestBench, ingestTable } from './ingest-bench.js';
import { otlpIngestBench } from './otlp-ingest-bench.js';
import { queryBench, queryTable } from './query-bench.js';
import { rawAppenderRate } from './raw-appender.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, spans: { type: 'string' } } });
const seconds = values.quick ? 5 : 10;
const sizes = (values.spans ?? (values.quick ? '1000000' : '1000000,10000000')).split(',').map(Number);

console.log('## Ingest (load generator in its own process, loopback HTTP)\n');
const raw = await rawAppenderRate();
console.log(`raw DuckDB appender, our span schema: ${Math.round(raw).toLocaleString('en-US')} rows/s (300,000 rows, one transaction)`);
// What durable ingest asks of the engine: a commit per group-commit batch (the loads below keep at
// most 6,400–16,000 events in flight), each written to the WAL and compressed at a checkpoint.
const perCommit = await rawAppenderRate(300_000, 10_000);
console.log(`raw DuckDB appender committing every 10,000 rows (then a checkpoint): ${Math.round(perCommit).toLocaleString('en-US')} rows/s\n`);
console.log(ingestTable(await ingestBench(seconds), raw, perCommit));

console.log('\n## OTLP/HTTP ingest next to native, end to end\n');
console.log(await otlpIngestBench(seconds));

console.log('\n## Dashboard queries over HTTP, 7 days of simulated fleet traffic\n');
console.log(queryTable(await queryBench(sizes)));

console.log('\n## Dashboard in Chromium: time to data, API requests with live traffic, JS heap\n');
// The web benchmark lives with the dashboard; it starts the built server like the query benchmark.
const { webBench } = await import('../../web/bench/web-bench.js');
console.log(await webBench(sizes, { runs: values.quick ? 3 : 5, range: '1h', liveSeconds: 60 }));
