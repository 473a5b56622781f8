import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: end-to-end files start real servers; more parallelism only adds contention.
    maxWorkers: 2,
    // expect.poll waits on a condition; vitest's default of 1 s made it a wait on time, which a
    // busy CI machine (two test files, two servers and a browser on two cores) outran.
    expect: { poll: { timeout: 30_000, interval: 50 } },
  },
});
