import type { Violation } from '../../protocol/codec.js';

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
   * audio duration to wall time divide by it.
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
}

/** One frame on the wire. `in` is client → mock, `out` is mock → client. */
export interface TraceFrame {
  at: number;
  dir: 'in' | 'out';
  /** Connection number (see {@link TraceConnection.number}). */
  connection: number;
  /** The raw text (binary frames: `<binary>`). */
  text: string;
  /** The parsed event when the frame is JSON with a string `type`, valid or not. */
  event: ({ type: string } & Record<string, unknown>) | undefined;
  /** Schema violations of this frame (strict schemas); empty when it is valid. */
  violations: Violation[];
  binary?: boolean;
}

/** One adapter observation (see docs/adapter-protocol.md), with the runner's arrival time. */
export interface TraceObservation {
  at: number;
  /** The observation's `type`: `connection`, `error`, `audio.played`, `playback.stopped`, … */
  type: string;
  data: Record<string, unknown>;
}

/** Something the runner did, with the time it did it. */
export interface TraceAction {
  at: number;
  /**
   * `mic.audio` (a chunk of user audio fed to the client: `bytes`, `turn`), `mic.end`,
   * `tool.result` (`call_id`, `output` or `error`, `delayMs`), `interrupt`, `commit`, `end`,
   * `connect`, `fault` (a fault injected now), `utterance` (`turn`, `startMs`, `endMs`: when a
   * user utterance started and ended in the microphone stream).
   */
  kind: string;
  data: Record<string, unknown>;
}

/** The in-flow (client → mock) events of a trace, parsed, with their frames. */
export function clientEvents(
  trace: Trace,
): Array<TraceFrame & { event: { type: string } & Record<string, unknown> }> {
  return trace.frames.filter(
    (f): f is TraceFrame & { event: { type: string } & Record<string, unknown> } =>
      f.dir === 'in' && f.event !== undefined,
  );
}

/** The mock → client events of a trace, parsed, with their frames. */
export function serverEvents(
  trace: Trace,
): Array<TraceFrame & { event: { type: string } & Record<string, unknown> }> {
  return trace.frames.filter(
    (f): f is TraceFrame & { event: { type: string } & Record<string, unknown> } =>
      f.dir === 'out' && f.event !== undefined,
  );
}
