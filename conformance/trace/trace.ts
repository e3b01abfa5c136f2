import type { Violation } from '../../protocol/codec.js';
import type {
  ClientEvent,
  ClientEventOf,
  ClientEventType,
  ServerEvent,
  ServerEventOf,
  ServerEventType,
} from '../../protocol/events.js';
import type { Fault } from '../../protocol/fixture/fault-schema.js';
import type { AdapterSession, ObservationOf, ObservationType } from '../target/adapter-protocol.js';

/**
 * Everything one scenario run saw, on one clock: rules judge this, reporters render it.
 *
 * Times (`at`) are milliseconds on the runner's monotonic clock, the same clock the in-process
 * mock uses, so a wire frame and an adapter observation can be subtracted directly.
 */
export interface Trace {
  /** The scenario's id. */
  scenario: string;
  /** Clock time the scenario started; reports show times relative to it. */
  startedAt: number;
  endedAt: number;
  /** How the client was driven: through an adapter, or as a plain app on the wire only. */
  drive: 'adapter' | 'wire-only';
  /** Features the adapter declared in its `hello` (empty in wire-only mode). */
  features: readonly string[];
  /** `mal-realtime-simple` or `mal-realtime-premium`. */
  model: string;
  /**
   * The run's speed factor: the mock's replies, the microphone and the adapter's virtual
   * speaker all run this many times faster than real time (absent or 1 = real time). Rules that relate
   * audio duration to wall time use `wallMsOfAudio` / `audioMsOfWall` (trace-query.ts).
   */
  speed?: number;
  /** Every WebSocket connection the client opened to the mock, in order. */
  connections: TraceConnection[];
  /** Every frame on the wire, both directions, in order. */
  frames: TraceFrame[];
  /** Every observation the adapter reported, in arrival order. */
  observations: TraceObservation[];
  /** What the runner did to the client: microphone, tool results, app actions, faults. */
  actions: TraceAction[];
  /** Problems of the harness or the adapter channel (not the client's protocol behaviour). */
  harnessErrors: string[];
  /**
   * Spans in which the runner's own event loop did not run (a loaded machine, a long GC),
   * measured by a heartbeat on the real clock (`StallWatch`): whatever happened meanwhile was
   * stamped late, at the span's end. Absent on a fake clock and in older traces.
   */
  stalls?: TraceStall[];
}

/** A span of clock time in which the runner was not running (see {@link Trace.stalls}). */
export interface TraceStall {
  /** When the heartbeat should have run. */
  from: number;
  /** When it ran: the runner caught up. */
  to: number;
}

/** One WebSocket connection to the mock. */
export interface TraceConnection {
  /** 1-based, in order of opening. */
  number: number;
  /** The mock's session id (`sess_…`). */
  session: string;
  openedAt: number;
  closedAt: number | undefined;
  closeCode: number | undefined;
  closeReason: string | undefined;
  /** Who sent the close (or cut the socket). */
  closedBy: 'server' | 'client' | undefined;
  /**
   * The WebSocket pings of this connection, both ways, in order, with their pongs (LIVENESS).
   * Absent in traces recorded before pings were recorded.
   */
  pings?: TracePing[];
}

/** One WebSocket ping on a connection and when its pong came back, as the mock saw them. */
export interface TracePing {
  /** When the ping was sent (`server`) or received (`client`). */
  at: number;
  /** Who pinged: the mock (its keep-alive) or the client (its own liveness check). */
  by: 'server' | 'client';
  /** When the pong arrived (server ping) or went out (client ping); undefined: never. */
  pongAt: number | undefined;
}

/** A client or server event type. */
export type WireEventType = ClientEventType | ServerEventType;

/** The event of a type: a client event for client types, a server event for server types. */
export type WireEventOf<T extends WireEventType> = T extends ClientEventType
  ? ClientEventOf<T>
  : T extends ServerEventType
    ? ServerEventOf<T>
    : never;

/**
 * The JSON of a frame that broke the strict schemas, read as it was: an object with a string
 * `type` whose other fields are unknown (a rule must check what it reads).
 */
export interface LooseEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

interface TraceFrameBase {
  at: number;
  /** Connection number (see {@link TraceConnection.number}). */
  connection: number;
  /** The raw text (binary frames: `<binary>`). */
  text: string;
  binary?: boolean;
}

/** A client → mock frame that validates against the strict client schemas. */
export interface ValidClientFrame extends TraceFrameBase {
  dir: 'in';
  valid: true;
  event: ClientEvent;
  violations: [];
}

/** A mock → client frame that validates against the strict server schemas. */
export interface ValidServerFrame extends TraceFrameBase {
  dir: 'out';
  valid: true;
  event: ServerEvent;
  violations: [];
}

/**
 * A frame that breaks the strict schemas (or is binary, or not JSON). `event` is its JSON when
 * that is an object with a string `type` (a malformed audio delta still names its response),
 * with fields of unknown type; `violations` say what is wrong.
 */
export interface InvalidFrame extends TraceFrameBase {
  dir: 'in' | 'out';
  valid: false;
  event: LooseEvent | undefined;
  /** Schema violations (strict schemas); empty for a binary frame. */
  violations: Violation[];
}

/**
 * One frame on the wire. `in` is client → mock, `out` is mock → client. `valid` tells a typed
 * event (strict schemas) from a loosely read one.
 */
export type TraceFrame = ValidClientFrame | ValidServerFrame | InvalidFrame;

/** One adapter observation of one type, with the runner's arrival time. */
export interface TraceObservationOf<T extends ObservationType> {
  at: number;
  type: T;
  /** The observation as the adapter sent it (validated against its schema). */
  data: ObservationOf<T>;
}

/**
 * One adapter observation (see docs/adapter-protocol.md), with the runner's arrival time; a
 * union discriminated by `type`, so `o.type === 'connection'` types `o.data`.
 */
export type TraceObservation = { [T in ObservationType]: TraceObservationOf<T> }[ObservationType];

/** What each kind of runner action records. */
export interface TraceActionData {
  /** The app asked the client to connect. */
  connect: { model: string; session?: AdapterSession };
  /**
   * A user utterance in the microphone stream: when it starts and ends (audio ms); `toneHz`
   * when the user sang a pure tone of that pitch instead of the turn's speech.
   */
  utterance: { turn: number; startMs: number; endMs: number; transcript?: string; toneHz?: number };
  /** A chunk of user audio fed to the client. */
  'mic.audio': { bytes: number; turn?: number };
  'mic.end': Record<string, never>;
  /** The app's tool answered a `tool.invoke`: its output, or the error it threw. */
  'tool.result': {
    call_id: string;
    name?: string;
    delayMs?: number;
    output?: string;
    error?: string;
  };
  interrupt: Record<string, never>;
  commit: Record<string, never>;
  end: Record<string, never>;
  /** A fault injected into the mock now. */
  fault: { fault: Fault };
  /** A note of the scenario, shown in the report's timeline. */
  note: { text: string };
  /**
   * The client's process ended on its own: a wire-only app (it may quit), or an adapter mid-run
   * (a harness error, unless a server frame just before killed it: `crashBlame`).
   */
  'target-exit': { code: number | null; signal: string | null };
}

/** A kind of runner action. */
export type TraceActionKind = keyof TraceActionData;

/** The data argument of an action: optional for the kinds that carry none. */
export type TraceActionArgs<K extends TraceActionKind> =
  Record<string, never> extends TraceActionData[K]
    ? [data?: TraceActionData[K]]
    : [data: TraceActionData[K]];

/** A runner action of one kind, with the time the runner did it. */
export interface TraceActionOf<K extends TraceActionKind> {
  at: number;
  kind: K;
  data: TraceActionData[K];
}

/**
 * Something the runner did, with the time it did it: a union discriminated by `kind`, so
 * `a.kind === 'tool.result'` types `a.data`.
 */
export type TraceAction = { [K in TraceActionKind]: TraceActionOf<K> }[TraceActionKind];
