import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceInProcess } from '../../clients/reference/in-process.js';
import { parseServerEvent } from '../../protocol/codec.js';
import { SERVER_EVENT_TYPES } from '../../protocol/events.js';
import { loadFixture } from '../../protocol/fixture/load-fixture.js';
import { DEFAULT_BUDGETS } from '../metrics/budgets.js';
import { RULES } from '../rules/catalogue.js';
import {
  caseSize,
  exploreCaseArb,
  speechCatalogue,
  type ExploreCase,
  type ExploreTurn,
  type SpeechCatalogue,
} from './explore-case.js';
import { caseAt, parseReplay } from './explore.js';
import { runCase, writeCaseFixture } from './run-case.js';

const work = mkdtempSync(join(tmpdir(), 'swaram-explore-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let catalogue: SpeechCatalogue;
let arb: fc.Arbitrary<ExploreCase>;
beforeAll(async () => {
  catalogue = await speechCatalogue();
  arb = exploreCaseArb(catalogue);
});

/** Every event a case makes the mock send of its own accord (faults' inject and extra-fields). */
function faultEvents(c: ExploreCase): Array<Record<string, unknown>> {
  return c.faults.flatMap((f) => (f.do.action === 'inject' ? [f.do.event] : []));
}

describe('generated cases are valid swaram behaviour', () => {
  it('each compiles to a fixture folder the fixture loader accepts (schemas and checks)', async () => {
    const cases = fc.sample(arb, { numRuns: 40, seed: 7 });
    for (const [i, c] of cases.entries()) {
      const dir = await writeCaseFixture(c, work, `valid-${i}`, 'a generated case');
      const fixture = await loadFixture(dir);
      expect(fixture.turns.length).toBe(c.turns.length);
      expect(caseSize(c)).toBeGreaterThanOrEqual(2);
    }
  });

  it('an injected event is either a documented event valid by its schema, or an unknown type', () => {
    const cases = fc.sample(arb, { numRuns: 300, seed: 11 });
    const injected = cases.flatMap(faultEvents);
    expect(injected.length).toBeGreaterThan(20);
    for (const event of injected) {
      const known = (SERVER_EVENT_TYPES as readonly string[]).includes(String(event.type));
      const parsed = parseServerEvent(JSON.stringify(event));
      if (known) expect(parsed, JSON.stringify(event)).toMatchObject({ ok: true });
      else expect(parsed.ok).toBe(false);
    }
  });

  it('response_cancel_not_active comes only where no reply is in flight (after response.done, at session.updated)', () => {
    const faults = fc.sample(arb, { numRuns: 300, seed: 13 }).flatMap((c) => c.faults);
    const raced = faults.filter(
      (f) =>
        f.do.action === 'inject' &&
        (f.do.event as { error?: { code?: string } }).error?.code === 'response_cancel_not_active',
    );
    expect(raced.length).toBeGreaterThan(5);
    for (const f of raced)
      expect(f.when).toMatchObject({
        on: 'server-event',
        type: expect.stringMatching(/^(response\.done|session\.updated)$/),
      });
  });

  it('what the mock sends in a run parses with the protocol schemas (tolerant), unknown types aside', async () => {
    // Cases with faults that touch events: their wire must still be swaram's.
    const cases = fc
      .sample(arb, { numRuns: 60, seed: 3 })
      .filter((c) =>
        c.faults.some((f) => f.do.action === 'extra-fields' || f.do.action === 'inject'),
      )
      .slice(0, 2);
    expect(cases.length).toBe(2);
    for (const c of cases) {
      const outcome = await runCase(c, {
        spec: () => referenceInProcess(),
        speed: { kind: 'fake-clock' },
        rules: RULES,
        budgets: DEFAULT_BUDGETS,
        workDir: work,
      });
      const out = outcome.run.trace.frames.filter((f) => f.dir === 'out' && !f.binary);
      expect(out.length).toBeGreaterThan(5);
      for (const f of out) {
        const parsed = parseServerEvent(f.text, { strict: false });
        if (!parsed.ok)
          expect(
            parsed.violations.map((v) => v.code),
            f.text.slice(0, 200),
          ).toSatisfy((codes: string[]) =>
            codes.every((c) => c === 'unknown_event' || c === 'unsupported_event'),
          );
      }
      // A reply's audio never follows its response.done unless the reply was cancelled.
      const done = new Map<string, { index: number; status: string }>();
      outcome.run.trace.frames.forEach((f, index) => {
        if (f.dir !== 'out' || !f.event) return;
        const e = f.event as {
          type: string;
          response?: { id: string; status: string };
          response_id?: string;
        };
        if (e.type === 'response.done' && e.response)
          done.set(e.response.id, { index, status: e.response.status });
        if (e.type === 'response.output_audio.delta') {
          const d = done.get(String(e.response_id));
          if (d)
            expect(d.status, `a delta after response.done of ${e.response_id}`).not.toBe(
              'completed',
            );
        }
      });
      expect(outcome.harnessErrors).toEqual([]);
    }
  }, 60_000);
});

describe('what is generated', () => {
  it('speech comes from the built-in fixtures through the loader, shortest first', async () => {
    const greeting = await loadFixture('greeting');
    const hello = catalogue.user.find((c) => c.file === 'greeting/user-hello.wav');
    expect(hello?.transcript).toBe(greeting.turns[0]!.user.transcript);
    expect(catalogue.reply.find((c) => c.file === 'greeting/assistant-hello.wav')?.transcript).toBe(
      greeting.turns[0]!.responses[0]!.transcript,
    );
    for (const clips of [catalogue.user, catalogue.reply]) {
      expect(clips.length).toBeGreaterThan(2);
      expect(new Set(clips.map((c) => c.file)).size).toBe(clips.length);
      const d = clips.map((c) => c.durationMs);
      expect(d).toEqual([...d].sort((a, b) => a - b));
    }
  });

  it('makes several calls in one response, calls in consecutive responses, broken arguments and app cancels', () => {
    const cases = fc.sample(arb, { numRuns: 300, seed: 5 });
    const share = (p: (c: ExploreCase) => boolean) => cases.filter(p).length / cases.length;
    const replies = (c: ExploreCase) => c.turns.flatMap((t) => t.replies);
    expect(share((c) => replies(c).some((r) => r.calls.length > 1))).toBeGreaterThan(0.25);
    expect(
      share((c) => c.turns.some((t) => t.replies.filter((r) => r.calls.length > 0).length > 1)),
    ).toBeGreaterThan(0.1);
    expect(
      share((c) => replies(c).some((r) => r.calls.some((k) => k.broken !== undefined))),
    ).toBeGreaterThan(0.1);
    expect(share((c) => c.turns.some((t) => t.cancelMs !== undefined))).toBeGreaterThan(0.1);
  });

  it('the reference client passes cases with two calls in a response, broken arguments and a cancel', async () => {
    // A turn whose reply the app cancels, and another turn (not cancelled) with two calls in
    // one response, one of them with broken arguments.
    const twoCalls = (t: ExploreTurn) =>
      t.cancelMs === undefined &&
      t.replies.some((r) => r.calls.length > 1 && r.calls.some((k) => k.broken !== undefined));
    const pick = fc
      .sample(arb, { numRuns: 400, seed: 9 })
      .map((c): ExploreCase => ({ ...c, faults: [] }))
      .find((c) => c.turns.some((t) => t.cancelMs !== undefined) && c.turns.some(twoCalls));
    expect(pick).toBeDefined();
    const outcome = await runCase(pick!, {
      spec: () => referenceInProcess(),
      speed: { kind: 'fake-clock' },
      rules: RULES,
      budgets: DEFAULT_BUDGETS,
      workDir: work,
    });
    const wire = outcome.run.trace.frames.map((f) => f.event?.type);
    expect(
      wire.filter((t) => t === 'response.function_call_arguments.done').length,
    ).toBeGreaterThan(1);
    expect(outcome.run.trace.actions.some((a) => a.kind === 'interrupt')).toBe(true);
    expect(outcome.harnessErrors).toEqual([]);
    expect(outcome.failed).toEqual([]);
  }, 60_000);
});

describe('replay', () => {
  it('the case at seed:path is the one fast-check generated there', () => {
    const first = fc.sample(arb, { numRuns: 1, seed: 42 })[0];
    expect(caseAt(42, '0', catalogue)).toEqual(first);
  });

  it('parses <seed>:<path> and says what it expected otherwise', () => {
    expect(parseReplay('42:7:0:1')).toEqual({ seed: 42, path: '7:0:1' });
    expect(parseReplay('-3:0')).toEqual({ seed: -3, path: '0' });
    expect(() => parseReplay('42')).toThrow(/expected <seed>:<path>/);
    expect(() => parseReplay('a:b')).toThrow(/--replay a:b/);
  });
});
