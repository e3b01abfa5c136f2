import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../protocol/fixture/load-fixture.js';
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
