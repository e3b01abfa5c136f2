import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceInProcess } from '../../clients/reference/in-process.js';
import { FakeClock } from '../../mock-server/clock.js';
import { builtInFixturesDir } from '../../protocol/fixture/inspect-fixture.js';
import { loadFixture } from '../../protocol/fixture/load-fixture.js';
import { runScenario } from '../run/run-scenario.js';
import { fixtureScenario, loadFixtureScenario } from './fixture-scenario.js';
import { SCENARIOS } from './index.js';

describe('fixtureScenario', () => {
  it('judges the general rules, and TOOL-ANSWER (needing tools) only when the fixture calls tools', async () => {
    const greeting = fixtureScenario(await loadFixture('greeting'));
    expect(greeting.rules).toEqual(SCENARIOS.find((s) => s.id === 'greeting')!.rules);
    expect(greeting.needs).toBeUndefined();
    const tools = fixtureScenario(await loadFixture('tool-call'));
    expect(tools.rules).toContain('TOOL-ANSWER');
    expect(tools.needs).toEqual(['tools']);
    expect(tools.fixture).toBe((await loadFixture('tool-call')).dir);
  });

  it('judges BARGE-STOP and STALE-FENCE when a turn barges in (interruptAfterMs)', async () => {
    const barge = fixtureScenario(await loadFixture('barge-in'));
    expect(barge.rules).toEqual(expect.arrayContaining(['BARGE-STOP', 'STALE-FENCE']));
    const greeting = fixtureScenario(await loadFixture('greeting'));
    expect(greeting.rules).not.toContain('BARGE-STOP');
  });

  it('has the app cancel a reply at cancelAfterMs, judged by the cancel rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swaram-cancel-fixture-'));
    const greeting = await loadFixture('greeting');
    for (const file of ['user-hello.wav', 'assistant-hello.wav'])
      copyFileSync(join(builtInFixturesDir(), 'greeting', file), join(dir, file));
    const name = dir.split(/[\\/]/).at(-1)!;
    const turn = greeting.manifest.turns[0]!;
    writeFileSync(
      join(dir, 'fixture.json'),
      JSON.stringify({
        name,
        description: 'greeting, cancelled by the app 700 ms into the reply',
        turns: [{ ...turn, user: { ...turn.user, cancelAfterMs: 700 } }],
      }),
    );
    const scenario = fixtureScenario(await loadFixture(dir));
    expect(scenario.needs).toBeUndefined(); // an adapter without cancel runs it uncancelled
    expect(scenario.rules).toEqual(expect.arrayContaining(['CANCEL-ACTIVE', 'RACE-TOLERANT']));
    const run = await runScenario(scenario, { spec: referenceInProcess(), clock: new FakeClock() });
    const fromClient = run.trace.frames.filter((f) => f.dir === 'in').map((f) => f.event?.type);
    expect(fromClient).toContain('response.cancel');
    const done = run.trace.frames.find((f) => f.dir === 'out' && f.event?.type === 'response.done')
      ?.event as { response: { status: string } } | undefined;
    expect(done?.response.status).toBe('cancelled');
    expect(run.trace.harnessErrors).toEqual([]);
  }, 30_000);

  it('names a folder that is not a fixture in one line, with the loader’s reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swaram-not-fixture-'));
    await expect(loadFixtureScenario(dir)).rejects.toThrow(
      new RegExp(`^--fixture ${dir} is not a valid fixture: .*no fixture\\.json`),
    );
    writeFileSync(join(dir, 'fixture.json'), '{"name": 3}');
    const error = await loadFixtureScenario(dir).then(
      () => new Error('loaded'),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/is not a valid fixture/);
    expect(error.message).not.toContain('\n');
  });
});
