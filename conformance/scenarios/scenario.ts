import type { Fixture } from '../../protocol/fixture/fixture.js';
import type { Fault } from '../../protocol/fixture/fault-schema.js';
import type { MockServer, MockServerOptions } from '../../mock-server/mock-server.js';
import type { AdapterSession } from '../target/adapter-protocol.js';
import type { ScenarioClock } from '../run/scenario-clock.js';
import type { Trace, TraceFrame, TraceObservation } from '../trace/trace.js';

/** How the runner's tool answers a `tool.invoke`. */
export interface ToolBehaviour {
  /** The tool's return value (a string, usually JSON). Default `{"ok":true}`. */
  output?: string;
  /** The tool throws with this message instead. */
  error?: string;
  /** How long the tool "runs" before answering, in scenario ms (scaled by speed). Default 20. */
  delayMs?: number;
}

/**
 * One named scenario: declarative metadata plus a small script.
 *
 * A scenario runs against a fresh mock (its `fixture` and `server` options) and a fresh
 * client process, records a {@link Trace}, and leaves judging to the rules: a scenario never
 * decides pass or fail itself, it only makes the situation happen.
 */
export interface Scenario {
  /** Stable id, e.g. `barge-in`. */
  id: string;
  title: string;
  /** What happens, in a sentence or two. */
  description: string;
  /** Family, for grouping in reports: session, audio, tools, interruption, errors, close, modes. */
  family: string;
  /** The fixture the mock replays and whose user turns the microphone plays. */
  fixture: string;
  /** Default `mal-realtime-simple`. */
  model?: string;
  /** The key the client is given. Default: the mock's first accepted key. */
  apiKey?: string;
  /** Mock options on top of the fixture's (faults, limits). */
  server?: Omit<
    MockServerOptions,
    'fixture' | 'clock' | 'onFrame' | 'onConnection' | 'port' | 'host'
  >;
  /** Faults for the mock, added after the fixture's own. */
  faults?: Fault[];
  /** The session the app asks for (passed in `connect`). Default: Malayalam instructions, the fixture's tools. */
  session?: AdapterSession;
  /** How the runner's tools answer, by tool name. */
  tools?: Record<string, ToolBehaviour>;
  /** Adapter features without which the scenario cannot run (then all its rules are skipped). */
  needs?: readonly string[];
  /** True when the scenario means something for a wire-only app too. */
  wireOnly?: boolean;
  /** The rules this scenario is built to exercise (reports group by them; `--rules` selects by them). */
  rules: readonly string[];
  /** Longest the script may run, in real ms at speed 1 (scaled down by speed). Default 30 000. */
  timeoutMs?: number;
  /** Only with `--long`: scenarios that take minutes. */
  long?: boolean;
  /** Drives the client. The runner connects first unless `manualConnect` is set. */
  script(ctx: ScenarioContext): Promise<void>;
  /** Set when the script calls `ctx.connect()` itself. */
  manualConnect?: boolean;
}

/**
 * What a scenario script can do. Every wait is in scenario ms (played `speed` times faster),
 * unless its name says clock ms; see {@link ScenarioClock}.
 */
export interface ScenarioContext {
  /** The run's one clock: the speed, conversions, timers. */
  readonly clock: ScenarioClock;
  readonly fixture: Fixture;
  readonly server: MockServer;
  /** The trace so far (live). */
  readonly trace: Trace;
  /** Features the adapter declared (empty for wire-only apps). */
  readonly features: ReadonlySet<string>;
  readonly wireOnly: boolean;
  /** Asks the client to connect (done by the runner before the script unless `manualConnect`). */
  connect(): Promise<void>;
  /**
   * Plays the fixture's user turn `turn` into the client's microphone, in real time (scaled by
   * speed); resolves when its last sample was fed. The microphone streams silence otherwise.
   * With `toneHz` the user sings a pure tone of that pitch for the turn's duration instead of
   * its speech (APPEND-PACE checks the pitch the client sends: a wrong sample rate moves it).
   */
  say(turn: number, options?: { toneHz?: number }): Promise<void>;
  /** Waits for a wire event (`dir`: `out` = mock → client, default; `in` = client → mock). */
  wire(
    type: string,
    options?: { dir?: 'in' | 'out'; count?: number; timeoutMs?: number; after?: number },
  ): Promise<TraceFrame | undefined>;
  /** Waits for an adapter observation of `type` matching `where`. */
  observed(
    type: string,
    where?: (o: TraceObservation) => boolean,
    options?: { timeoutMs?: number; after?: number },
  ): Promise<TraceObservation | undefined>;
  /**
   * Waits until `predicate` holds over the trace, re-checked on every change of the trace;
   * false on timeout (the rules judge what happened).
   */
  until(predicate: (trace: Trace) => boolean, options?: { timeoutMs?: number }): Promise<boolean>;
  /** The run's clock reading (the trace's time base), clock ms. */
  now(): number;
  /** Waits `ms` of scenario time. */
  sleep(ms: number): Promise<void>;
  /**
   * Waits `ms` of clock time, whatever the speed: for windows that judge the client's own
   * timers (no reconnect within 5 s, backoff delays), which do not speed up with the run.
   */
  sleepClockMs(ms: number): Promise<void>;
  /** App actions, sent through the adapter (no-ops in wire-only mode). */
  interrupt(): Promise<void>;
  commit(): Promise<void>;
  /** The app ends the session; resolves once the client closed or after a timeout. */
  end(): Promise<void>;
  /** Injects a fault into the mock now (recorded as an action). */
  inject(fault: Fault): void;
  /** Records a note in the trace (shown in the report's timeline). */
  note(text: string): void;
}
