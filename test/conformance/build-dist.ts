import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/**
 * The harness project's global setup (vitest.config.ts): `npm run build`, incremental
 * (tsconfig.build.json keeps dist/.tsbuildinfo), before the run and before each rerun in watch
 * mode, so the compiled clients the harness runs are never older than their sources. A no-op
 * rebuild takes a few seconds; a build with type errors stops the harness here, with tsc's
 * messages.
 */
export default function setup(project: TestProject): void {
  buildDist();
  project.onTestsRerun(() => buildDist());
}

function buildDist(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(
      `the harness runs the compiled clients, but \`npm run build\` failed: fix these errors ` +
        `and run again\n${stdout}${stderr}`,
    );
  }
}
