import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../conformance/rules/catalogue.js';
import type { RunResult } from '../../conformance/results/result-schema.js';
import { runConformance } from '../../conformance/run/run-conformance.js';

/*
 * The second-language client: clients/python (swaram-py, Python 3 with Debian's
 * python3-websockets 10.4) graded through its own adapter, to show that the adapter protocol
 * is all a client in another language needs.
 */

const PYTHON = '/usr/bin/python3';
const TARGET = fileURLToPath(new URL('../../clients/python', import.meta.url));

/** Why the test cannot run here, or undefined when /usr/bin/python3 has websockets. */
function missingPython(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import websockets'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const detail = probe.error ? probe.error.message : probe.stderr.trim().split('\n').pop();
  return `${PYTHON} cannot import websockets (${detail}); install Debian's python3-websockets`;
}

const missing = missingPython();

/** What swaram-py's adapter declares: it has no barge-in, cancel, push-to-talk, reconnect or premium. */
const FEATURES = ['playback', 'tools', 'transcripts', 'responses'];
/** Scenarios it can run, and two it cannot (they need barge-in and reconnect). */
const RUNS = ['greeting', 'tool-call', 'unknown-events'];
const CANNOT = { 'barge-in': 'barge-in', 'close-1013': 'reconnect' };

function explain(result: RunResult, dir: string): string {
  return [
    ...result.rules
      .filter((r) => !['pass', 'skipped', 'not_observable'].includes(r.status))
      .map((r) => `  ${r.id} (${r.level}) ${r.status}: ${r.reason}`),
    ...result.scenarios.flatMap((s) =>
      s.runs.flatMap((r) => r.harnessErrors.map((h) => `  (${s.id} #${r.run}) ${h}`)),
    ),
    `report: ${dir}`,
  ].join('\n');
}

describe('clients/python: swaram-py through its adapter', () => {
  const reportDir = mkdtempSync(join(tmpdir(), 'swaram-python-'));
  let keep = false;
  afterAll(() => {
    if (!keep) rmSync(reportDir, { recursive: true, force: true });
  });

  it.skipIf(missing !== undefined)(
    missing
      ? `skipped: ${missing}`
      : `passes every MUST rule of ${RUNS.join(', ')}; what it lacks is reported skipped`,
    async () => {
      const { result, dir } = await runConformance({
        target: TARGET,
        scenarios: [...RUNS, ...Object.keys(CANNOT)],
        speed: 1,
        jobs: 2,
        reportDir,
      });
      keep = true;
      const message = explain(result, dir);

      expect(result.target.client).toMatchObject({ name: 'swaram-py', language: 'python' });
      expect([...result.target.features].sort()).toEqual([...FEATURES].sort());

      // No MUST rule fails (nor could the harness judge one): the exit code is 0.
      expect(result.summary.failing, message).toEqual([]);
      expect(result.summary.exitCode, message).toBe(0);

      // The scenarios ran, and the core of what they exercise was judged and kept.
      for (const id of RUNS) {
        expect(result.scenarios.find((s) => s.id === id)?.status, `${id}\n${message}`).toBe('ran');
      }
      for (const id of [
        'SESSION-FIRST',
        'PLAY-ORDER',
        'TOOL-ANSWER',
        'TOOL-TRIGGER',
        'UNKNOWN-TOLERANT',
      ]) {
        expect(result.rules.find((r) => r.id === id)?.status, `${id}\n${message}`).toBe('pass');
      }

      // Scenarios that need a feature it did not declare are skipped, naming the feature.
      for (const [id, feature] of Object.entries(CANNOT)) {
        const s = result.scenarios.find((x) => x.id === id);
        expect(s?.status, id).toBe('skipped');
        expect(s?.skipReason, id).toContain(feature);
      }
      // So is every rule that needs such a feature: skipped, never pass or fail.
      const lacking = RULES.filter((r) =>
        (r.needs.features ?? []).some((f) => !FEATURES.includes(f)),
      );
      expect(lacking.length).toBeGreaterThan(0);
      for (const rule of lacking) {
        const r = result.rules.find((x) => x.id === rule.id);
        expect(r?.status, `${rule.id}: ${r?.reason}`).toBe('skipped');
      }
      keep = false;
    },
    120_000,
  );
});
