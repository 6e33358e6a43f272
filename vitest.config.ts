import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One suite, every database: tests under test/ run once per dialect. PostgreSQL joins when
// TEST_DATABASE_URL is set (CI always sets it); unit tests beside the code run once.
const dialects = ['sqlite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    pool: 'forks',
    // Most tests wait on I/O (databases, sockets, Chromium), so two workers pay off even on 2 cores,
    // where vitest's default (cores - 1) would run one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      ...dialects.map((dialect) => ({
        extends: true as const,
        test: { name: dialect, include: ['test/**/*.test.ts'], env: { STRATUS_TEST_DB: dialect } },
      })),
    ],
  },
});
