import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/run/run-conformance.js';

/**
 * Real SDKs (clients/third-party, docs/compatibility.md) over a few scenarios, asserting the
 * TRUE verdicts: their real incompatibilities keep failing, and the runner's wrong verdicts of
 * the "before" table do not come back. About 60 s: the two SDKs run side by side, and the
 * agents-realtime tool-call run waits out its scenario limit (the SDK never runs the tool).
 * Skipped when `npm ci --prefix clients/third-party` has not been run.
 */
const installed = existsSync('clients/third-party/node_modules/@openai/agents-realtime');
if (!installed) {
  console.warn(
    'third-party.test.ts skipped: clients/third-party/node_modules is missing ' +
      '(npm ci --prefix clients/third-party installs the SDKs)',
  );
}

type Verdicts = Map<string, { status: string; reason: string }>;

/** Runs `scenarios` on `target`; verdicts keyed `RULE@scenario`. */
async function grade(
  target: string,
  scenarios: string[],
  jobs: number,
  tls = false,
): Promise<Verdicts> {
  const { result } = await runConformance({
    target,
    scenarios,
    jobs,
    speed: 1,
    tls,
    reportDir: mkdtempSync(join(tmpdir(), 'swaram-third-party-')),
  });
  const out: Verdicts = new Map();
  for (const rule of result.rules) {
    for (const run of rule.runs) {
      out.set(`${rule.id}@${run.scenario}`, { status: run.status, reason: run.reason });
    }
  }
  return out;
}

const status = (v: Verdicts, key: string) => `${key}: ${v.get(key)?.status ?? 'not judged'}`;

describe.skipIf(!installed)('real SDKs against swaram', () => {
  it('keep their true verdicts (agents-realtime, OpenAIRealtimeWS)', async () => {
    const [agents, openai] = await Promise.all([
      grade(
        'clients/third-party/agents-realtime',
        ['malformed-deltas', 'late-deltas', 'tool-call'],
        2,
      ),
      // The openai SDK speaks wss: only: the runner serves TLS (--tls), the SDK trusts the
      // mock's certificate through NODE_EXTRA_CA_CERTS.
      grade(
        'clients/third-party/openai-realtime-ws',
        ['close-1013-forever', 'malformed-deltas'],
        1,
        true,
      ),
    ]);

    // agents-realtime: real incompatibilities keep failing.
    expect(status(agents, 'TOOL-TRIGGER@tool-call')).toBe('TOOL-TRIGGER@tool-call: fail');
    // The SDK's crash on a malformed delta (atob throwing in its socket listener) kills the
    // adapter's process: the exit right after the malformed delta is the client's failure of
    // PLAY-STRICT (crashBlame), not a run the harness could not judge.
    expect(status(agents, 'PLAY-STRICT@malformed-deltas')).toBe(
      'PLAY-STRICT@malformed-deltas: fail',
    );
    expect(agents.get('PLAY-STRICT@malformed-deltas')!.reason).toMatch(
      /process exited .* after the mock sent response\.output_audio\.delta \(malformed\): it crashed on it/,
    );
    expect(status(agents, 'SUBSET-ONLY@late-deltas')).toBe('SUBSET-ONLY@late-deltas: fail');
    expect(status(agents, 'STALE-FENCE@late-deltas')).toBe('STALE-FENCE@late-deltas: fail');
    // …and the runner's wrong verdicts do not come back: the crash on a malformed delta is not
    // blamed on an earlier survived unsupported_event, the stop 5–10 ms after speech_started
    // is not measured to the replayed late deltas, and a close without a code (1005) is clean.
    expect(status(agents, 'ERROR-SURVIVE@malformed-deltas')).not.toBe(
      'ERROR-SURVIVE@malformed-deltas: fail',
    );
    expect(status(agents, 'BARGE-STOP@late-deltas')).toBe('BARGE-STOP@late-deltas: pass');
    expect(status(agents, 'CLOSE-CLEAN@late-deltas')).toBe('CLOSE-CLEAN@late-deltas: pass');
    expect(agents.get('CLOSE-CLEAN@late-deltas')!.reason).toContain('1005');

    // OpenAIRealtimeWS against a server that stays busy: ×U[0.75, 1] jitter is jitter, and it
    // gives up after 5 tries; its backoff starts over after each reopen, so no growth (real).
    const busy = openai.get('CLOSE-BUSY@close-1013-forever');
    expect(busy?.status).toBe('fail');
    expect(busy?.reason).toContain('no growth');
    expect(busy?.reason).not.toContain('no jitter');
    expect(busy?.reason).not.toContain('no retry limit');

    // OpenAIRealtimeWS's app decodes deltas leniently (Buffer.from(delta, 'base64'), as the
    // SDK's examples do) and plays a malformed delta: PLAY-STRICT's failure (real), and no longer
    // PLAY-ORDER's too ("more audio played than sent" counted the same noise twice).
    expect(status(openai, 'PLAY-STRICT@malformed-deltas')).toBe(
      'PLAY-STRICT@malformed-deltas: fail',
    );
    expect(openai.get('PLAY-STRICT@malformed-deltas')!.reason).toContain('played as noise');
    expect(status(openai, 'PLAY-ORDER@malformed-deltas')).toBe('PLAY-ORDER@malformed-deltas: pass');
  }, 150_000);
});
