import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/run/run-conformance.js';
import { alive } from '../support/mock-cli.js';

const ADAPTER = 'test/conformance/hostile/adapter.mjs';
const SECRET = 'sk-hostile-test-secret-0123456789';

async function hostileRun(command: string, wireOnly = false) {
  const reportDir = mkdtempSync(join(tmpdir(), 'swaram-hostile-'));
  const pidFile = join(reportDir, 'pids');
  const began = Date.now();
  const run = await runConformance({
    targetCmd: `${command} ${pidFile}`,
    wireOnly,
    scenarios: ['greeting'],
    reportDir,
    timeoutMs: 6_000,
    handshakeTimeoutMs: 5_000,
  });
  const elapsed = Date.now() - began;
  const index = JSON.parse(readFileSync(join(run.dir, 'index.json'), 'utf8')) as typeof run.result;
  const files = readdirSync(join(run.dir, 'scenarios')).map((f) =>
    readFileSync(join(run.dir, 'scenarios', f), 'utf8'),
  );
  const pids = existsSync(pidFile)
    ? readFileSync(pidFile, 'utf8').trim().split('\n').map(Number)
    : [];
  return { ...run, index, files, elapsed, pids };
}

describe('hostile targets', () => {
  beforeAll(() => {
    process.env.OPENAI_API_KEY = SECRET;
  });
  afterAll(() => {
    delete process.env.OPENAI_API_KEY;
  });

  it.concurrent.each([
    ['silent', /request-timeout|did not finish/],
    ['exit', /exited/],
    ['invalid-json', /invalid-json|request-timeout/],
    ['double', /unexpected-reply/],
    ['deep', /too-deep/],
    ['flood-garbage', /flood|limit/],
    ['flood-valid', /flood/],
    ['env', /request-timeout|did not finish/],
  ])(
    'an adapter that misbehaves (%s) is a harness error, not a pass',
    async (mode, error) => {
      const r = await hostileRun(`${process.execPath} ${ADAPTER} ${mode}`);
      expect(r.index.summary.passed).toBe(false);
      expect(r.index.summary.exitCode).toBe(3);
      expect(r.index.summary.counts.harness_error).toBeGreaterThan(0);
      expect(r.index.summary.harnessErrorRuns).toBe(1);
      expect(r.index.summary.line).toMatch(/HARNESS ERROR/);
      const errors = r.index.scenarios[0]!.runs[0]!.harnessErrors.join('\n');
      expect(errors).toMatch(error);
      expect(r.elapsed).toBeLessThan(20_000);
      expect(process.memoryUsage().rss).toBeLessThan(1.5 * 1024 ** 3);
      expect(r.pids.length).toBeGreaterThan(0);
      for (const pid of r.pids) expect(alive(pid)).toBe(false);
      for (const text of [JSON.stringify(r.index), ...r.files]) expect(text).not.toContain(SECRET);
      if (mode === 'exit') expect(r.elapsed).toBeLessThan(6_000);
    },
    30_000,
  );

  it('a wire-only app that never connects fails, and its printed key is redacted', async () => {
    const r = await hostileRun(
      `${process.execPath} test/conformance/hostile/wire-never-connects.mjs`,
      true,
    );
    expect(r.index.summary.passed).toBe(false);
    expect(r.index.summary.exitCode).toBe(1);
    const sessionFirst = r.index.rules.find((x) => x.id === 'SESSION-FIRST')!;
    expect(sessionFirst.status).toBe('fail');
    expect(sessionFirst.reason).toMatch(/never opened a connection/);
    const text = r.files.join('\n');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('swaram-test-key');
    expect(text).not.toContain(SECRET);
    for (const pid of r.pids) expect(alive(pid)).toBe(false);
  }, 30_000);
});
