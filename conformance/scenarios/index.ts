import type { Fault } from '../../protocol/fixture/fault-schema.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import { countOut, playedOut, ready, turn } from './steps.js';
import { DEFAULT_BUDGETS } from '../metrics/budgets.js';

/** Rules every ordinary session exercises. */
const SESSION_RULES = [
  'WIRE-SCHEMA',
  'SESSION-FIRST',
  'SESSION-ACK',
  'SESSION-LOCK',
  'SUBSET-ONLY',
  'SESSION-SHAPE',
  'APPEND-FORMAT',
  'APPEND-SIZE',
  'APPEND-PACE',
] as const;

/** The pitch the user sings in `tone-turn`. */
const TONE_HZ = 440;

/** One greeting exchange, played out, then the app ends the session. */
async function greet(ctx: ScenarioContext): Promise<void> {
  await ready(ctx);
  await turn(ctx, 0, 1);
  await playedOut(ctx);
  await ctx.end();
}

/** One tool turn (call, output, the reply after it), played out, then the app ends. */
async function toolExchange(ctx: ScenarioContext): Promise<void> {
  await ready(ctx);
  await turn(ctx, 0, 2);
  await playedOut(ctx);
  await ctx.end();
}

/**
 * Waits `ms` of clock time for the client's own reaction (reconnects), then ends.
 *
 * Clock ms, not scenario ms: the window judges the client's reconnect timers, which run at
 * clock rate whatever `--speed` says (only the speaker is told the speed). Scaling the window
 * by the speed would close it at speed 3 before a correct client's first backoff is over and
 * fail CLOSE-* rules that pass at speed 1. On a real clock this is real time, as before; on a
 * fake clock the client in process waits on the same fake clock, so the window costs nothing.
 */
function watchThenEnd(ms: number) {
  return async (ctx: ScenarioContext) => {
    await ctx.until((t) => t.connections.some((c) => c.closedAt !== undefined), {
      timeoutMs: 15_000,
    });
    await ctx.sleepClockMs(ms);
    await ctx.end();
  };
}

const close = (code: number, errorCode?: string, session?: number): Fault => ({
  when: { on: 'connect' },
  do: { action: 'close', code, ...(errorCode ? { error: { code: errorCode } } : {}) },
  ...(session !== undefined ? { session } : {}),
});

/**
 * The named scenarios, one registry. Each makes one situation happen on the wire; the rules
 * judge the trace. Families come from the conformance catalogue (docs/rules.md).
 */
export const SCENARIOS: readonly Scenario[] = [
  // --- session and audio ---------------------------------------------------------------
  {
    id: 'greeting',
    title: 'One spoken exchange',
    description: 'Connect, say the Malayalam greeting, hear the whole reply, end the session.',
    family: 'session',
    fixture: 'greeting',
    wireOnly: true,
    rules: [
      ...SESSION_RULES,
      'PLAY-ORDER',
      'DONE-STATUS',
      'TRANSCRIPT-ATTRIB',
      'CLOSE-CLEAN',
      'ERROR-SURVIVE',
    ],
    script: greet,
  },
  {
    id: 'slow-session-ack',
    title: 'session.updated comes late',
    description:
      'The mock answers session.update only after 1.5 s while the microphone already streams: no audio may go out before the acknowledgement.',
    family: 'session',
    fixture: 'greeting',
    faults: [{ when: { on: 'connect' }, do: { action: 'hold-session-updated', ms: 1500 } }],
    rules: ['SESSION-FIRST', 'SESSION-ACK', 'APPEND-FORMAT'],
    script: greet,
  },
  {
    id: 'tone-turn',
    title: 'The user sings a tone',
    description:
      "The user's turn is a 440 Hz tone as long as the greeting instead of speech, and the mock answers as usual. APPEND-PACE checks the pitch of the audio the client sent: microphone audio resampled to the wrong rate (16 kHz or 48 kHz sent as 24 kHz) moves it ×1.5 or ×0.5, however it is paced.",
    family: 'session',
    fixture: 'greeting',
    rules: ['APPEND-PACE', 'APPEND-FORMAT', 'APPEND-SIZE'],
    async script(ctx) {
      await ready(ctx);
      await turn(ctx, 0, 1, { toneHz: TONE_HZ });
      await playedOut(ctx);
      await ctx.end();
    },
  },
  {
    id: 'multi-turn',
    title: 'Three exchanges, one with a tool',
    description: 'Three user turns in one session; the second reply calls a tool before it speaks.',
    family: 'session',
    fixture: 'multi-turn',
    needs: ['tools'],
    rules: [...SESSION_RULES, 'PLAY-ORDER', 'TOOL-ANSWER', 'TRANSCRIPT-ATTRIB', 'DONE-STATUS'],
    timeoutMs: 60_000,
    async script(ctx) {
      await ready(ctx);
      let done = 0;
      for (let i = 0; i < ctx.fixture.turns.length; i++) {
        done += ctx.fixture.turns[i]!.responses.length;
        await turn(ctx, i, done);
        await playedOut(ctx);
      }
      await ctx.end();
    },
  },
  // --- tools ------------------------------------------------------------------------------
  {
    id: 'tool-call',
    title: 'A tool call and the answer after it',
    description:
      "The reply calls get_weather; the app's tool answers; swaram continues on its own.",
    family: 'tools',
    fixture: 'tool-call',
    needs: ['tools'],
    tools: {
      get_weather: { output: '{"city":"Kochi","temperature_c":31,"sky":"മഴ"}', delayMs: 50 },
    },
    rules: ['TOOL-ANSWER', 'TOOL-TRIGGER', 'TOOL-NO-NUDGE', 'TOOL-ONCE', 'PLAY-ORDER'],
    script: toolExchange,
  },
  {
    id: 'tool-duplicate',
    title: 'The same tool call delivered twice',
    description:
      'response.function_call_arguments.done arrives twice with the same call_id: the tool runs once, one output goes back.',
    family: 'tools',
    fixture: 'tool-call',
    needs: ['tools'],
    faults: [
      {
        when: { on: 'connect' },
        do: { action: 'duplicate', type: 'response.function_call_arguments.done' },
      },
    ],
    rules: ['TOOL-ONCE', 'TOOL-ANSWER'],
    async script(ctx) {
      await ready(ctx);
      await turn(ctx, 0, 2);
      await ctx.sleep(500);
      await playedOut(ctx);
      await ctx.end();
    },
  },
  {
    id: 'tool-unknown',
    title: 'A call to a tool the app does not have',
    description:
      'The app declares no tools, swaram calls get_weather anyway: the client must still answer the call_id with a string output.',
    family: 'tools',
    fixture: 'tool-call',
    session: { instructions: 'നീ ഒരു സഹായിയാണ്.', voice: 'mal-female', tools: [] },
    rules: ['TOOL-ANSWER', 'TOOL-TRIGGER'],
    script: toolExchange,
  },
  {
    id: 'tool-throws',
    title: "The app's tool fails",
    description: 'get_weather throws: the client must still answer the call with a string output.',
    family: 'tools',
    fixture: 'tool-call',
    needs: ['tools'],
    tools: { get_weather: { error: 'weather service down', delayMs: 30 } },
    rules: ['TOOL-ANSWER'],
    script: toolExchange,
  },
  {
    id: 'tool-stale',
    title: 'The connection drops while a tool runs',
    description:
      'swaram calls a tool and the connection closes with 1013 before the tool answers; after the client reconnects, the old call_id must not be answered on the new connection.',
    family: 'tools',
    fixture: 'tool-call',
    needs: ['tools', 'reconnect'],
    tools: { get_weather: { output: '{"temperature_c":31}', delayMs: 800 } },
    faults: [
      { when: { on: 'tool-call', count: 1 }, do: { action: 'close', code: 1013 }, session: 1 },
    ],
    rules: ['TOOL-STALE', 'CLOSE-BUSY'],
    async script(ctx) {
      await ready(ctx);
      await ctx.say(0);
      await ready(ctx, 2);
      await ctx.sleepClockMs(1500);
      await ctx.end();
    },
  },
  // --- interruption -----------------------------------------------------------------------
  {
    id: 'barge-in',
    title: 'The user talks over a long reply',
    description:
      'Partway through a long reply the user speaks again: playback must stop at once and queued audio be dropped.',
    family: 'interruption',
    fixture: 'barge-in',
    needs: ['playback', 'barge-in'],
    rules: ['BARGE-STOP', 'STALE-FENCE', 'TRANSCRIPT-ATTRIB', 'DONE-STATUS', 'PLAY-ORDER'],
    timeoutMs: 60_000,
    async script(ctx) {
      await ready(ctx);
      await ctx.say(0);
      const after = ctx.fixture.turns[1]?.user.interruptAfterMs ?? 3000;
      const first = await ctx.observed('audio.played', undefined, { timeoutMs: 20_000 });
      if (first) await ctx.sleep(after);
      await ctx.say(1);
      await ctx.wire('response.done', { count: 2, timeoutMs: 30_000 });
      await playedOut(ctx);
      await ctx.end();
    },
  },
  {
    id: 'barge-in-after-done',
    title: 'Barge-in while a finished reply still plays',
    description:
      'Replies are generated at twice real time, so response.done arrives while the speaker still has seconds of audio queued; the user speaks then: the rest must not be played.',
    family: 'interruption',
    fixture: 'long-session',
    needs: ['playback', 'barge-in'],
    rules: ['BARGE-STOP', 'STALE-FENCE'],
    timeoutMs: 60_000,
    async script(ctx) {
      await ready(ctx);
      await turn(ctx, 0, 1);
      await ctx.observed('audio.played', undefined, { timeoutMs: 10_000 });
      await ctx.say(1);
      await ctx.wire('input_audio_buffer.speech_started', { count: 2, timeoutMs: 20_000 });
      await ctx.wire('response.done', { count: 2, timeoutMs: 30_000 });
      await playedOut(ctx);
      await ctx.end();
    },
  },
  {
    id: 'interrupt',
    title: 'The app stops the reply',
    description:
      'The user presses stop during a reply: the client cancels it (response.cancel) and flushes its speaker.',
    family: 'interruption',
    fixture: 'barge-in',
    needs: ['cancel'],
    rules: ['CANCEL-ACTIVE', 'STALE-FENCE', 'BARGE-STOP'],
    timeoutMs: 40_000,
    async script(ctx) {
      await ready(ctx);
      await ctx.say(0);
      await ctx.wire('response.output_audio.delta', { count: 10, timeoutMs: 20_000 });
      await ctx.interrupt();
      await ctx.wire('response.done', { timeoutMs: 5000 });
      await ctx.sleep(1000);
      await ctx.end();
    },
  },
  {
    id: 'cancel-race',
    title: 'Stop pressed just after the reply finished',
    description:
      'The user presses stop right after response.done: a response.cancel now gets response_cancel_not_active, which must not hurt the session; the next turn works.',
    family: 'interruption',
    fixture: 'greeting',
    needs: ['cancel'],
    rules: ['RACE-TOLERANT', 'CANCEL-ACTIVE', 'ERROR-SURVIVE'],
    async script(ctx) {
      await ready(ctx);
      await turn(ctx, 0, 1);
      await ctx.interrupt();
      await ctx.sleep(300);
      await turn(ctx, 0, 2);
      await playedOut(ctx);
      await ctx.end();
    },
  },
  {
    id: 'late-deltas',
    title: 'Deltas of a cancelled reply arrive late',
    description:
      'Audio deltas are held back 400 ms while other events are not; the user interrupts, so deltas of the cancelled reply arrive after its response.done and must be neither played nor shown.',
    family: 'interruption',
    fixture: 'barge-in',
    needs: ['playback'],
    faults: [
      {
        when: { on: 'connect' },
        do: {
          action: 'delay',
          ms: 400,
          types: ['response.output_audio.delta', 'response.output_audio_transcript.delta'],
        },
      },
    ],
    rules: ['STALE-FENCE', 'BARGE-STOP'],
    timeoutMs: 60_000,
    async script(ctx) {
      await ready(ctx);
      await ctx.say(0);
      await ctx.observed('audio.played', undefined, { timeoutMs: 20_000 });
      await ctx.sleep(1500);
      await ctx.say(1);
      await ctx.wire('response.done', { count: 2, timeoutMs: 30_000 });
      await playedOut(ctx);
      await ctx.end();
    },
  },
  // --- errors and unknown events -----------------------------------------------------------
  {
    id: 'unknown-events',
    title: 'Events and fields swaram does not document',
    description:
      'The mock sends OpenAI-only events, an invented event type, extra fields and a text frame that is not JSON; the client must ignore them and the turn must go on.',
    family: 'errors',
    fixture: 'greeting',
    wireOnly: true,
    faults: [
      {
        when: { on: 'server-event', type: 'session.updated' },
        do: {
          action: 'inject',
          event: { type: 'rate_limits.updated', event_id: 'evt_x1', rate_limits: [] },
        },
      },
      {
        when: { on: 'server-event', type: 'response.created' },
        do: {
          action: 'inject',
          event: {
            type: 'response.output_item.added',
            event_id: 'evt_x2',
            output_index: 0,
            item: { id: 'item_x', type: 'message' },
          },
        },
      },
      {
        when: { on: 'delta', count: 2 },
        do: {
          action: 'inject',
          event: { type: 'swaram.future_event', event_id: 'evt_x3', anything: { nested: [1, 2] } },
        },
      },
      {
        // A text frame that is not JSON (cut short mid-object), for UNKNOWN-TOLERANT.
        when: { on: 'delta', count: 3 },
        do: { action: 'raw', text: '{"type":"response.output_audio.delta","delta":"AAAA' },
      },
      {
        when: { on: 'connect' },
        do: {
          action: 'extra-fields',
          type: 'response.output_audio.delta',
          fields: { x_future: true },
        },
      },
      {
        when: { on: 'connect' },
        do: { action: 'extra-fields', type: 'response.done', fields: { x_trace: 'abc' } },
      },
    ],
    rules: ['UNKNOWN-TOLERANT', 'PLAY-ORDER', 'DONE-STATUS'],
    script: greet,
  },
  {
    id: 'race-errors',
    title: 'Race errors from the server',
    description:
      'The mock answers as if the client had raced it: response_cancel_not_active after the session is ready and conversation_already_has_active_response during the reply. Both are recoverable: the socket stays open and the next turn works.',
    family: 'errors',
    fixture: 'greeting',
    wireOnly: true,
    faults: [
      {
        when: { on: 'server-event', type: 'session.updated' },
        do: {
          action: 'inject',
          event: {
            type: 'error',
            event_id: 'evt_r1',
            error: {
              type: 'invalid_request_error',
              code: 'response_cancel_not_active',
              message: 'there is no response in progress to cancel',
            },
          },
        },
      },
      {
        when: { on: 'server-event', type: 'response.created' },
        do: {
          action: 'inject',
          event: {
            type: 'error',
            event_id: 'evt_r2',
            error: {
              type: 'invalid_request_error',
              code: 'conversation_already_has_active_response',
              message: 'a response is already in progress',
            },
          },
        },
      },
    ],
    rules: ['RACE-TOLERANT', 'ERROR-SURVIVE'],
    async script(ctx) {
      await ready(ctx);
      await turn(ctx, 0, 1);
      await playedOut(ctx);
      await turn(ctx, 0, 2);
      await playedOut(ctx);
      await ctx.end();
    },
  },
  {
    id: 'error-event',
    title: 'An error event mid-session',
    description:
      'The mock sends an error event during the session: it must reach the app, and the session must go on.',
    family: 'errors',
    fixture: 'greeting',
    faults: [
      {
        when: { on: 'server-event', type: 'session.updated' },
        do: {
          action: 'inject',
          event: {
            type: 'error',
            event_id: 'evt_e1',
            error: {
              type: 'invalid_request_error',
              code: 'invalid_event',
              message: 'something the client sent was wrong',
            },
          },
        },
      },
    ],
    rules: ['ERROR-SURVIVE'],
    script: greet,
  },
  {
    id: 'malformed-deltas',
    title: 'Malformed audio deltas',
    description:
      'Three deltas are broken (odd length, bad base64, empty): each must be dropped and reported, never played, and the reply goes on.',
    family: 'errors',
    fixture: 'greeting',
    needs: ['playback'],
    faults: [
      { when: { on: 'delta', count: 2 }, do: { action: 'corrupt-delta', kind: 'odd-length' } },
      { when: { on: 'delta', count: 5 }, do: { action: 'corrupt-delta', kind: 'bad-base64' } },
      { when: { on: 'delta', count: 8 }, do: { action: 'corrupt-delta', kind: 'empty' } },
    ],
    rules: ['PLAY-STRICT', 'PLAY-ORDER'],
    script: greet,
  },
  // --- close codes --------------------------------------------------------------------------
  {
    id: 'close-4001',
    title: 'Invalid key (4001)',
    description:
      'The key is refused: an error event, then close 4001. The client must surface an auth error and never reconnect.',
    family: 'close',
    fixture: 'auth-failure',
    apiKey: 'swaram_revoked_key',
    wireOnly: true,
    rules: ['CLOSE-AUTH', 'ERROR-SURVIVE'],
    script: watchThenEnd(3000),
  },
  {
    id: 'close-4003',
    title: 'Out of credits (4003)',
    description:
      'The credits run out during the first utterance: an error event, then close 4003. No reconnect; a billing error for the app.',
    family: 'close',
    fixture: 'out-of-credits',
    wireOnly: true,
    rules: ['CLOSE-AUTH'],
    async script(ctx) {
      await ready(ctx);
      await ctx.say(0);
      await watchThenEnd(3000)(ctx);
    },
  },
  {
    id: 'close-4008',
    title: 'Too many connections (4008)',
    description: 'The first connection is refused with an error and 4008: no reconnect within 5 s.',
    family: 'close',
    fixture: 'greeting',
    wireOnly: true,
    faults: [close(4008, 'too_many_connections', 1)],
    rules: ['CLOSE-LIMIT'],
    script: watchThenEnd(6000),
  },
  {
    id: 'close-1013',
    title: 'Server busy (1013), three times',
    description:
      'The first three connections close with 1013 right after session.update: the client must back off exponentially with jitter, and each new connection must start with session.update; the fourth works.',
    family: 'close',
    fixture: 'greeting',
    needs: ['reconnect'],
    faults: [1, 2, 3].map((session) => ({
      when: { on: 'client-event' as const, type: 'session.update' },
      do: { action: 'close' as const, code: 1013 },
      session,
    })),
    rules: ['CLOSE-BUSY', 'SESSION-FIRST'],
    timeoutMs: 60_000,
    async script(ctx) {
      // Three backoffs of the client's own timers: 30 s of clock time, whatever the speed.
      await ctx.until((t) => t.connections.length >= 4, {
        timeoutMs: ctx.clock.toScenarioMs(30_000),
      });
      await ready(ctx, 4);
      await turn(ctx, 0, 1);
      await playedOut(ctx);
      await ctx.end();
    },
  },
  {
    id: 'close-1013-forever',
    title: 'Server busy (1013) every time',
    description:
      'Every connection closes with 1013 right after session.update, for longer than a sane client keeps trying: the client must back off with growing, jittered delays and give up after a bounded number of tries (CLOSE-BUSY: growth, jitter, limit). The scenario ends when the client gives up (a `closed` connection report), once it has gone past the attempt limit, or after 20 s of clock time.',
    family: 'close',
    fixture: 'greeting',
    needs: ['reconnect'],
    faults: [
      {
        when: { on: 'client-event' as const, type: 'session.update' },
        do: { action: 'close' as const, code: 1013 },
      },
    ],
    rules: ['CLOSE-BUSY', 'SESSION-FIRST'],
    // Scaled down by speed, while the wait below is clock time: room for it up to speed 5.
    timeoutMs: 120_000,
    async script(ctx) {
      // The client's own timers: clock time, whatever the speed. A client that retries every
      // ~0.5 s passes D_1013.maxAttempts (10) in ~5 s; the reference client (full jitter, six
      // tries) has made four or five by 20 s and gives up by itself within about 30 s.
      const limit = DEFAULT_BUDGETS['D_1013.maxAttempts'] + 2;
      await ctx.until(
        (t) =>
          t.connections.length > limit ||
          t.observations.some((o) => o.type === 'connection' && o.data.state === 'closed'),
        { timeoutMs: ctx.clock.toScenarioMs(20_000) },
      );
      await ctx.end();
    },
  },
  {
    id: 'server-close-1000',
    title: 'The server ends the session (1000)',
    description:
      'After a reply the mock closes normally: the client must not reconnect on its own.',
    family: 'close',
    fixture: 'greeting',
    wireOnly: true,
    faults: [
      { when: { on: 'server-event', type: 'response.done' }, do: { action: 'close', code: 1000 } },
    ],
    rules: ['CLOSE-CLEAN'],
    async script(ctx) {
      await ready(ctx);
      await ctx.say(0);
      // 5 s: a client that wrongly reconnects (backoff up to 1.5 s, then its ack) still streams
      // a few seconds on the new connection, long enough for APPEND-PACE to judge the pace
      // after its held audio is flushed rather than the flush alone.
      await watchThenEnd(5000)(ctx);
    },
  },
  {
    id: 'silent-server',
    title: 'The server goes silent without closing',
    description:
      'After one exchange the mock black-holes the connection (a `blackhole` fault): it sends nothing more, stops pinging and stops answering pings, and keeps the socket open, a half-open peer as after a network change. The client must notice by itself (its own pings, or an application-level timeout) and close or reconnect within liveness.detectMs (45 s). The scenario ends when it does, or after the budget plus 5 s of clock time.',
    family: 'close',
    fixture: 'greeting',
    rules: ['LIVENESS'],
    // Scaled down by speed, while the wait below is clock time: room for it up to speed 4.
    timeoutMs: 240_000,
    async script(ctx) {
      await ready(ctx);
      await turn(ctx, 0, 1);
      await playedOut(ctx);
      const silent = ctx.trace.connections.length;
      ctx.inject({
        when: { on: 'time', afterMs: 0 },
        do: { action: 'blackhole' },
        session: silent,
      });
      // The client's own liveness timers: clock time, whatever the speed.
      const budgetMs = DEFAULT_BUDGETS['liveness.detectMs'] + 5000;
      const noticed = await ctx.until(
        (t) => t.connections.length > silent || t.connections[silent - 1]?.closedAt !== undefined,
        { timeoutMs: ctx.clock.toScenarioMs(budgetMs) },
      );
      // The app ends strictly after the client noticed (on a fake clock the same instant
      // would be ambiguous: LIVENESS counts only what happened before the app's end).
      if (noticed) await ctx.sleepClockMs(500);
      await ctx.end();
    },
  },
  // --- modes -------------------------------------------------------------------------------
  {
    id: 'premium-nudges',
    title: 'Premium ignores nudges',
    description:
      'In Premium the app releases push-to-talk: a commit gets no reply at all; the client must not wait for one, and the turn completes by VAD.',
    family: 'modes',
    fixture: 'greeting',
    model: 'mal-realtime-premium',
    needs: ['premium', 'push-to-talk'],
    rules: ['MODE-PREMIUM', 'PUSH-TO-TALK'],
    async script(ctx) {
      await ready(ctx);
      await ctx.say(0);
      await ctx.commit();
      await ctx.wire('response.done', { timeoutMs: 20_000 });
      await playedOut(ctx);
      await ctx.end();
    },
  },
  {
    id: 'push-to-talk',
    title: 'Push-to-talk in Simple mode',
    description:
      'The app presses commit before the user said anything, and its button bounces (a second release at once), then commits again after the utterance: commit must follow at least 100 ms of audio since the last commit or turn end.',
    family: 'modes',
    fixture: 'greeting',
    needs: ['push-to-talk'],
    rules: ['PUSH-TO-TALK', 'RACE-TOLERANT'],
    async script(ctx) {
      await ready(ctx);
      // The bounce: both releases reach the client together (no audio between them however
      // loaded the machine is), so the second follows nothing since the first.
      await Promise.all([ctx.commit(), ctx.commit()]);
      await ctx.say(0);
      await ctx.commit();
      await ctx.until((t) => countOut(ctx, 'response.done') > 0 || t.frames.length > 10_000, {
        timeoutMs: 20_000,
      });
      await playedOut(ctx);
      await ctx.end();
    },
  },
  // --- resources (long) ---------------------------------------------------------------------
  {
    id: 'long-session',
    title: 'Twenty turns with barge-ins',
    description: 'A long session for soak runs: twenty exchanges, every fifth interrupted.',
    family: 'resources',
    fixture: 'long-session',
    long: true,
    rules: ['BOUNDED-MEMORY', 'PLAY-ORDER', 'STALE-FENCE'],
    timeoutMs: 600_000,
    async script(ctx) {
      await ready(ctx);
      for (let i = 0; i < ctx.fixture.turns.length; i++) {
        await ctx.say(i);
        await ctx.wire('response.done', { count: i + 1, timeoutMs: 30_000 });
        if (i % 5 !== 4) await playedOut(ctx);
      }
      await ctx.end();
    },
  },
];

/** A scenario by id, or an error naming the known ones. */
export function scenarioById(id: string): Scenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s)
    throw new Error(`unknown scenario "${id}"; known: ${SCENARIOS.map((x) => x.id).join(', ')}`);
  return s;
}
