import { tone } from '../../protocol/audio/index.js';
import type { Fault } from '../../protocol/fixture/fault-schema.js';
import type { Fixture } from '../../protocol/fixture/fixture.js';
import type { MockServer } from '../../mock-server/mock-server.js';
import type { AdapterSession, CommandInput } from '../target/adapter-protocol.js';
import type { ScenarioContext } from '../scenarios/scenario.js';
import type { Trace, TraceActionData, TraceActionKind } from '../trace/trace.js';
import type { Microphone } from './microphone.js';
import type { ScenarioClock } from './scenario-clock.js';
import type { TraceWatch } from './trace-watch.js';

/** What {@link createScenarioContext} drives: the client as the script sees it. */
export interface ContextClient {
  readonly features: ReadonlySet<string>;
  /** Sends a command and waits for its reply (throws when refused or unanswered). */
  request(command: CommandInput): Promise<unknown>;
}

/** Everything a scenario context is made of. */
export interface ScenarioContextParts {
  clock: ScenarioClock;
  fixture: Fixture;
  server: MockServer;
  trace: Trace;
  watch: TraceWatch;
  client: ContextClient;
  microphone: Microphone;
  wireOnly: boolean;
  /** What `connect` tells the client. */
  connect: { apiKey: string; model: string; session: AdapterSession };
  /** Multiplies every wait of the script. */
  timeoutFactor: number;
  /** Records an action of the app in the trace. */
  action<K extends TraceActionKind>(kind: K, data: TraceActionData[K]): void;
  /** Records a problem of the harness or the adapter channel in the trace. */
  harnessError(message: string): void;
}

/** Default wait of `wire`, `observed` and `until`, scenario ms. */
const DEFAULT_WAIT_MS = 15_000;
/** How long `end` waits for the client to close everything, scenario ms. */
const END_WAIT_MS = 5_000;

/**
 * The {@link ScenarioContext} of one run: the script's verbs over the client, the mock, the
 * microphone and the live trace. Every wait goes through the run's {@link ScenarioClock}.
 */
export function createScenarioContext(parts: ScenarioContextParts): ScenarioContext {
  const { clock, trace, watch, wireOnly, microphone, action } = parts;
  const waitFor = <T>(probe: () => T | undefined, scenarioMs: number) =>
    watch.waitFor(probe, scenarioMs * parts.timeoutFactor);
  const requestQuietly = async (type: 'interrupt' | 'commit' | 'end'): Promise<void> => {
    try {
      await parts.client.request({ type });
    } catch (error) {
      parts.harnessError(`${type}: ${(error as Error).message}`);
    }
  };

  return {
    clock,
    fixture: parts.fixture,
    server: parts.server,
    trace,
    features: parts.client.features,
    wireOnly,
    async connect() {
      const { apiKey, model, session } = parts.connect;
      // The session goes into the trace: TOOL-TRIGGER compares the calls with the declared tools.
      action('connect', wireOnly ? { model } : { model, session });
      if (wireOnly) return;
      try {
        await parts.client.request({
          type: 'connect',
          url: parts.server.url,
          apiKey,
          model,
          session,
          options: { speed: clock.speed },
        });
      } catch (error) {
        parts.harnessError(`connect: ${(error as Error).message}`);
      }
      microphone.start();
    },
    async say(turn, options = {}) {
      const t = parts.fixture.turns[turn];
      if (!t || wireOnly) return;
      const startMs = microphone.queueEndMs;
      const { toneHz } = options;
      action('utterance', {
        turn,
        startMs,
        endMs: startMs + t.user.durationMs,
        transcript: t.user.transcript,
        ...(toneHz !== undefined ? { toneHz } : {}),
      });
      const pcm = toneHz !== undefined ? tone(toneHz, t.user.durationMs) : t.user.pcm;
      await microphone.speak(pcm, turn);
    },
    wire(type, o = {}) {
      const dir = o.dir ?? 'out';
      const count = o.count ?? 1;
      const after = o.after ?? -Infinity;
      return waitFor(() => {
        let n = 0;
        for (const f of trace.frames) {
          if (f.dir === dir && f.at >= after && f.event?.type === type && ++n === count) return f;
        }
        return undefined;
      }, o.timeoutMs ?? DEFAULT_WAIT_MS);
    },
    observed(type, where, o = {}) {
      const after = o.after ?? -Infinity;
      return waitFor(
        () =>
          trace.observations.find((x) => x.type === type && x.at >= after && (!where || where(x))),
        o.timeoutMs ?? DEFAULT_WAIT_MS,
      );
    },
    async until(predicate, o = {}) {
      const hit = await waitFor(
        () => (predicate(trace) ? true : undefined),
        o.timeoutMs ?? DEFAULT_WAIT_MS,
      );
      return hit ?? false;
    },
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    sleepClockMs: (ms) => clock.sleepClockMs(ms),
    async interrupt() {
      action('interrupt', {});
      if (!wireOnly) await requestQuietly('interrupt');
    },
    async commit() {
      action('commit', {});
      if (!wireOnly) await requestQuietly('commit');
    },
    async end() {
      action('end', {});
      microphone.stop();
      if (!wireOnly) await requestQuietly('end');
      await waitFor(
        () => (trace.connections.every((c) => c.closedAt !== undefined) ? true : undefined),
        END_WAIT_MS,
      );
    },
    inject(fault: Fault) {
      action('fault', { fault });
      parts.server.inject(fault);
    },
    note(text) {
      action('note', { text });
    },
  };
}
