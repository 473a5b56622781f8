// `sightline serve`: start the server and run until SIGINT/SIGTERM, then drain and exit.

import { startSightline, type RunningSightline } from '../server.js';
import { configFromFlags, type Flags } from './flags.js';

export function announce(running: RunningSightline, dataDir: string): void {
  console.log(`sightline listening on ${running.url} (store: ${running.store.kind}, data: ${dataDir})`);
  if (running.healthUrl) console.log(`sightline health port on ${running.healthUrl} (GET /api/health, /api/ready, /metrics only)`);
  if (running.createdAdminKey) {
    console.log(`created project "default" and its admin API key (shown once, stored only as a hash):`);
    console.log(`  ${running.createdAdminKey}`);
  }
}

/** Resolves with the exit code once a signal has stopped the server. */
export function untilSignal(running: RunningSightline, onStop?: () => void): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      console.log(`sightline: ${signal} received, draining and committing…`);
      onStop?.();
      running.stop().then(
        () => resolve(0),
        (err: Error) => {
          console.error(`sightline: error while stopping: ${err.message}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export async function runServe(flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const config = configFromFlags(flags, env);
  const running = await startSightline(config);
  announce(running, config.data);
  const code = await untilSignal(running);
  process.exit(code);
}
