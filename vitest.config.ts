import { defineConfig } from 'vitest/config';

/**
 * The harness suites: real clients driven through the runner, mostly waiting on real-time
 * audio. They run the faulty and reference clients compiled (dist/), so their project first
 * brings dist/ up to date (test/conformance/build-dist.ts, an incremental `npm run build`).
 */
const HARNESS = ['test/conformance/**/*.test.ts', 'test/package/**/*.test.ts'];

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', 'dist/**', 'reports/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: HARNESS,
          // Most of these wait on sockets, child processes and timers rather than burn CPU:
          // on 2 cores three files at a time beat vitest's default (cores - 1 = one).
          maxWorkers: 3,
        },
      },
      {
        extends: true,
        test: {
          name: 'harness',
          include: HARNESS,
          globalSetup: ['test/conformance/build-dist.ts'],
          maxWorkers: 2,
        },
      },
    ],
  },
});
