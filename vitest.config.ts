import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The harness suites: real clients driven through the runner, mostly waiting on real-time
 * audio. They run the faulty and reference clients compiled (dist/), so their project first
 * brings dist/ up to date (test/conformance/build-dist.ts, an incremental `npm run build`).
 */
const HARNESS = ['test/conformance/**/*.test.ts', 'test/package/**/*.test.ts'];

/**
 * The harness files that take longest, longest first (about 200, 100, 100 and 60 s on a quiet
 * machine): two at a time, a long one started last would end the run alone. Vitest orders by
 * the durations it cached, but a fresh checkout (CI) has none and it orders by file size, which
 * put reference-client.test.ts last.
 */
const LONGEST_FIRST = [
  'test/conformance/faulty-clients.test.ts',
  'test/conformance/reference-client.test.ts',
  'test/conformance/third-party.test.ts',
  'test/package/installed-package.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(`/${name}`));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', 'dist/**', 'reports/**'],
    sequence: { sequencer: LongestFirst },
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
