import { describe, expect, it } from 'vitest';
import { referenceInProcess } from '../../clients/reference/in-process.js';
import { SwaramClient } from '../../clients/reference/sdk/index.js';
import { FakeClock } from '../../mock-server/clock.js';
import type { Fixture } from '../../protocol/fixture/fixture.js';
import { modePremium } from '../rules/modes.js';
import { judge } from '../rules/catalogue.js';
import { scenarioById } from '../scenarios/index.js';
import { actionsOf, bytesToMs } from '../trace/trace-query.js';
import { runScenario } from './run-scenario.js';

/** Holds the microphone back for 3 s after a commit (waits for a `committed` that never comes). */
class StallsAfterCommit extends SwaramClient {
  private stalledUntil = 0;
  override commit(): boolean {
    const sent = super.commit();
    if (sent) this.stalledUntil = this.clock.now() + 3000;
    return sent;
  }
  protected override sendAudioChunk(chunk: Uint8Array): void {
    if (this.clock.now() >= this.stalledUntil) super.sendAudioChunk(chunk);
  }
}

describe('runScenario: the microphone feed is in the trace', () => {
  const premium = scenarioById('premium-nudges');

  it('records every chunk fed to the client as a mic.audio action', async () => {
    const run = await runScenario(premium, { spec: referenceInProcess(), clock: new FakeClock() });
    const mic = actionsOf(run.trace, 'mic.audio');
    const fedMs = bytesToMs(mic.reduce((n, a) => n + a.data.bytes, 0));
    // The microphone runs from the session start to the end: about the whole run, in 20 ms chunks.
    expect(mic.length).toBeGreaterThan(100);
    // 20 ms chunks (960 bytes), the last of an utterance shorter.
    expect(mic.filter((a) => a.data.bytes === 960).length).toBeGreaterThan(mic.length * 0.9);
    expect(fedMs).toBeGreaterThan(run.durationMs / 2);
    expect(judge(modePremium, run.trace)?.status).toBe('pass');
  }, 60_000);

  it('so MODE-PREMIUM sees a client that stops streaming after a nudge', async () => {
    const spec = referenceInProcess({ createClient: (o) => new StallsAfterCommit(o) });
    const run = await runScenario(premium, { spec, clock: new FakeClock() });
    const v = judge(modePremium, run.trace);
    expect(v?.status).toBe('fail');
    expect(v?.reason).toContain('stopped streaming after a nudge');
  }, 60_000);
});

describe('runScenario: fixtures shared by the runs of one conformance run', () => {
  it('loads a fixture once into `fixtures` and serves it from there after', async () => {
    const greeting = scenarioById('greeting');
    const fixtures = new Map<string, Promise<Fixture>>();
    await runScenario(greeting, { spec: referenceInProcess(), clock: new FakeClock(), fixtures });
    expect([...fixtures.keys()]).toEqual([greeting.fixture]);
    const loaded = await fixtures.get(greeting.fixture)!;
    // A second run takes what is there (here: the same fixture, marked), not a fresh load.
    const marked = { ...loaded, model: 'mal-realtime-premium' } as Fixture;
    fixtures.set(greeting.fixture, Promise.resolve(marked));
    const run = await runScenario(greeting, {
      spec: referenceInProcess(),
      clock: new FakeClock(),
      fixtures,
    });
    expect(greeting.model).toBeUndefined(); // so the run's model is the fixture's
    expect(run.trace.model).toBe('mal-realtime-premium');
  }, 60_000);
});
