import type { Fixture } from '../../protocol/fixture/fixture.js';
import { FixtureError } from '../../protocol/fixture/fixture-error.js';
import { loadFixture } from '../../protocol/fixture/load-fixture.js';
import { SCENARIOS } from './index.js';
import type { Scenario } from './scenario.js';
import type { ScenarioContext } from './scenario.js';
import { countOut, playedOut, ready, turn } from './steps.js';

/** The id of the scenario `--fixture` builds. */
export const FIXTURE_SCENARIO_ID = 'fixture';

/**
 * The one scenario of a `--fixture` run: connect, play each user turn of the fixture into
 * the microphone and wait for all its replies (answering tool calls), let the client play
 * them out, end. A turn whose user has `interruptAfterMs` is a barge-in: it is said that many
 * ms after the first audio delta of the previous turn's reply, over that reply. A turn whose
 * user has `cancelAfterMs` has the app stop its reply (the runner's `interrupt`) that many ms
 * after the turn's first `response.created` (a cancel takes precedence over a barge-in cue of
 * the next turn; an adapter without the `cancel` feature is not asked). Judged by the rules that hold for any ordinary session (those of the
 * `greeting` scenario), plus TOOL-ANSWER when the fixture calls tools, BARGE-STOP and
 * STALE-FENCE when it barges in or cancels, and CANCEL-ACTIVE and RACE-TOLERANT when it cancels.
 * The fixture's own `faults` and `server` settings apply, as in `swaram-mock --fixture`.
 *
 * Fixtures carry no tool results, so the runner's tools answer `{"ok":true}` (the mock's
 * reply after a tool call does not depend on the result).
 */
export function fixtureScenario(fixture: Fixture): Scenario {
  const calls = fixture.turns.flatMap((t) => t.responses).filter((r) => r.toolCall);
  const general = SCENARIOS.find((s) => s.id === 'greeting')?.rules ?? [];
  const bargesIn = fixture.turns.some((t, i) => i > 0 && t.user.interruptAfterMs !== undefined);
  const cancels = fixture.turns.some((t) => t.user.cancelAfterMs !== undefined);

  return {
    id: FIXTURE_SCENARIO_ID,
    title: `Your fixture: ${fixture.name}`,
    description: `Every user turn of ${fixture.dir} (${fixture.turns.length}) said in order, each reply heard out, then the app ends the session.`,
    family: 'session',
    fixture: fixture.dir,
    wireOnly: true,
    ...(calls.length > 0 ? { needs: ['tools'] } : {}),
    rules: [
      ...general,
      ...(calls.length > 0 ? ['TOOL-ANSWER'] : []),
      ...(bargesIn || cancels ? ['BARGE-STOP', 'STALE-FENCE'] : []),
      ...(cancels ? ['CANCEL-ACTIVE', 'RACE-TOLERANT'] : []),
    ],
    // A turn may take up to 30 s of waiting; a long fixture gets the time it needs.
    timeoutMs: Math.max(60_000, fixture.turns.length * 35_000),
    async script(ctx) {
      await ready(ctx);
      let done = 0;
      const turns = ctx.fixture.turns;
      for (let i = 0; i < turns.length; i++) {
        done += turns[i]!.responses.length;
        const cancelMs = turns[i]!.user.cancelAfterMs;
        const cue = turns[i + 1]?.user.interruptAfterMs;
        if (cancelMs !== undefined) {
          await sayThenCancel(ctx, i, cancelMs);
          // A cancelled reply ends its turn: the replies after a tool call may never come.
          done = countOut(ctx, 'response.done');
        } else if (cue === undefined) {
          await turn(ctx, i, done);
          await playedOut(ctx);
        } else await sayThenWaitToInterrupt(ctx, i, cue);
      }
      await ctx.end();
    },
  };
}

/**
 * Says turn `index`, waits for the first audio delta of its reply, then `cueMs` of scenario
 * time: the next turn is then said over the reply (a barge-in). A reply that never sends audio
 * leaves the next turn to be said after 15 s.
 */
async function sayThenWaitToInterrupt(
  ctx: ScenarioContext,
  index: number,
  cueMs: number,
): Promise<void> {
  const from = ctx.now();
  await ctx.say(index);
  const delta = await ctx.wire('response.output_audio.delta', { after: from });
  if (delta) await ctx.sleep(Math.max(0, cueMs - ctx.clock.toScenarioMs(ctx.now() - delta.at)));
}

/**
 * Says turn `index`, waits for its first `response.created`, then `cancelMs` of scenario time,
 * and has the app stop the reply (whether or not it is still going: after it ended the cancel
 * meets `response_cancel_not_active`); then waits until every reply begun has its
 * `response.done` and the speaker is quiet.
 */
async function sayThenCancel(ctx: ScenarioContext, index: number, cancelMs: number): Promise<void> {
  const from = ctx.now();
  await ctx.say(index);
  const created = await ctx.wire('response.created', { after: from });
  if (created)
    await ctx.sleep(Math.max(0, cancelMs - ctx.clock.toScenarioMs(ctx.now() - created.at)));
  // An adapter without the cancel feature (or a wire-only run) cannot be told to: the turn
  // then runs as an ordinary one rather than skipping the whole fixture.
  if (ctx.features.has('cancel')) await ctx.interrupt();
  await ctx.until(
    (t) => {
      const out = t.frames.filter((f) => f.dir === 'out');
      const begun = out.filter((f) => f.event?.type === 'response.created').length;
      return out.filter((f) => f.event?.type === 'response.done').length >= begun;
    },
    { timeoutMs: 5000 },
  );
  await ctx.sleep(300);
  await playedOut(ctx);
}

/**
 * Loads a `--fixture` folder and builds its scenario; a folder that is not a valid fixture
 * throws an Error of one line (the fixture loader's first error, and how many more).
 */
export async function loadFixtureScenario(path: string): Promise<Scenario> {
  try {
    return fixtureScenario(await loadFixture(path));
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    const errors = error.problems.filter((p) => p.severity === 'error');
    const first = errors[0];
    const more =
      errors.length > 1 ? ` (and ${errors.length - 1} more: swaram-mock validate ${path})` : '';
    const what = first ? `${first.file}: ${first.message}` : error.message;
    throw new Error(`--fixture ${path} is not a valid fixture: ${what}${more}`);
  }
}
