import { decodedBase64Length, pcm16Base64Problem } from '../../protocol/codec.js';
import { BYTES_PER_MS } from '../../protocol/audio/pcm16.js';
import type { ObservationType, PlaybackStopReason } from '../target/adapter-protocol.js';
import type {
  Trace,
  TraceAction,
  TraceActionKind,
  TraceActionOf,
  TraceConnection,
  TraceFrame,
  TraceObservationOf,
  LooseEvent,
  WireEventOf,
  WireEventType,
} from './trace.js';

/*
 * Small, pure readers over a Trace, shared by the rules and the metrics. Every reader returns
 * indexes into the trace's arrays so findings can point at the evidence.
 */

/** Where a wire event sits in the trace. */
interface WireEventPlace<T extends string> {
  /** Index into `trace.frames`. */
  index: number;
  at: number;
  dir: 'in' | 'out';
  connection: number;
  type: T;
  frame: TraceFrame;
}

/**
 * A wire event of one of the types `T` with its index in `trace.frames`: typed when its frame
 * is valid (`valid: true`), read loosely when it broke the strict schemas (`valid: false`, a
 * {@link LooseEvent} whose fields a rule must check). Without `T`, every event is loose.
 */
export type WireEvent<T extends string = string> = WireEventPlace<T> &
  (
    | { valid: true; event: T extends WireEventType ? WireEventOf<T> : LooseEvent }
    | { valid: false; event: LooseEvent }
  );

/** A valid wire event of one of the types `T`, typed, with its index in `trace.frames`. */
export type ValidWireEvent<T extends WireEventType> = Extract<WireEvent<T>, { valid: true }>;

/** An adapter observation of one of the types `T`, with its index in `trace.observations`. */
export type IndexedObservation<T extends ObservationType = ObservationType> = {
  [K in T]: TraceObservationOf<K> & {
    /** Index into `trace.observations`. */
    index: number;
  };
}[T];

/** One `audio.played` report, placed on the clock with the virtual speaker's model. */
export interface PlayedChunk {
  /** Index into `trace.observations`. */
  index: number;
  /** When the chunk's last sample played (the observation's arrival). */
  end: number;
  /** When its first sample played: `end − wallMs`. */
  start: number;
  bytes: number;
  /** Audio duration of the chunk (ms of audio). */
  ms: number;
  /**
   * How long it took to play on the clock. The virtual speaker plays in real time (48 bytes
   * per ms) whatever the run's speed (swaram-adapter/1 has no speed), so this equals `ms`.
   */
  wallMs: number;
  responseId: string | undefined;
  itemId: string | undefined;
  /** Base64 of the played bytes, when the adapter reports audio. */
  audio: string | undefined;
}

/** A string field, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A finite number field, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** An object field, or undefined. */
export function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Every wire event (valid or not), optionally of one direction and one or more types; typed by
 * type when the types are literal: `wireEvents(trace, 'out', 'response.done')`.
 */
export function wireEvents<T extends WireEventType>(
  trace: Trace,
  dir: 'in' | 'out' | undefined,
  types: T | readonly T[],
): Array<WireEvent<T>>;
export function wireEvents(
  trace: Trace,
  dir?: 'in' | 'out',
  types?: string | readonly string[],
): WireEvent[];
export function wireEvents(
  trace: Trace,
  dir?: 'in' | 'out',
  types?: string | readonly string[],
): WireEvent[] {
  const wanted = types === undefined ? undefined : typeof types === 'string' ? [types] : types;
  const out: WireEvent[] = [];
  const frames = trace.frames;
  const indexes = wanted === undefined ? undefined : framesOfTypes(frames, wanted);
  const count = indexes?.length ?? frames.length;
  for (let k = 0; k < count; k++) {
    const index = indexes ? indexes[k]! : k;
    const frame = frames[index]!;
    const event = frame.event;
    if (event === undefined) continue;
    if (dir !== undefined && frame.dir !== dir) continue;
    const place = {
      index,
      at: frame.at,
      dir: frame.dir,
      connection: frame.connection,
      type: event.type,
      frame,
    };
    out.push(
      frame.valid
        ? { ...place, valid: true, event: event as never }
        : { ...place, valid: false, event: frame.event! },
    );
  }
  return out;
}

/**
 * Frame indexes by event type, per frames array, extended as the array grows (frames are only
 * ever appended): some forty rules each ask for a few types of a trace of thousands of frames.
 */
const typeIndexes = new WeakMap<
  readonly TraceFrame[],
  { size: number; byType: Map<string, number[]> }
>();

/** The indexes of the frames of any of `types`, in order. */
function framesOfTypes(frames: readonly TraceFrame[], types: readonly string[]): number[] {
  let index = typeIndexes.get(frames);
  if (!index) typeIndexes.set(frames, (index = { size: 0, byType: new Map() }));
  for (let i = index.size; i < frames.length; i++) {
    const type = frames[i]!.event?.type;
    if (type === undefined) continue;
    const list = index.byType.get(type);
    if (list) list.push(i);
    else index.byType.set(type, [i]);
  }
  index.size = frames.length;
  if (types.length === 1) return index.byType.get(types[0]!) ?? [];
  return types.flatMap((t) => index.byType.get(t) ?? []).sort((a, b) => a - b);
}

/**
 * Caches what a pure reader found in a finished trace (one the recorder marked ended) for as
 * long as the trace stays as it was: the rules and metrics that judge one run ask for the same
 * responses, played chunks and stalls many times. A trace still being recorded is read afresh.
 * The cached value is shared: callers copy before they sort or change it.
 */
export function perFinishedTrace<A extends unknown[], R>(
  read: (trace: Trace, ...args: A) => R,
): (trace: Trace, ...args: A) => R {
  const cache = new WeakMap<Trace, Map<string, R>>();
  return (trace, ...args) => {
    if (!(trace.endedAt > trace.startedAt)) return read(trace, ...args);
    const closed = trace.connections.reduce((n, c) => n + (c.closedAt === undefined ? 0 : 1), 0);
    const key = [
      trace.frames.length,
      trace.observations.length,
      trace.actions.length,
      trace.connections.length,
      closed,
      trace.stalls?.length ?? 0,
      trace.endedAt,
      ...args,
    ].join('/');
    let byKey = cache.get(trace);
    if (!byKey) cache.set(trace, (byKey = new Map()));
    if (byKey.has(key)) return byKey.get(key)!;
    if (byKey.size > 16) byKey.clear(); // a trace that keeps changing: no unbounded cache
    const value = read(trace, ...args);
    byKey.set(key, value);
    return value;
  };
}

/**
 * The valid wire events of one or more types, typed: `framesOf(trace, 'response.done')` gives
 * events whose `event` is a `ServerEventOf<'response.done'>`. Frames that broke the strict
 * schemas are left out (read them with {@link wireEvents}).
 */
export function framesOf<T extends WireEventType>(
  trace: Trace,
  types: T | readonly T[],
): Array<ValidWireEvent<T>> {
  return wireEvents(trace, undefined, types).filter((e): e is ValidWireEvent<T> => e.valid);
}

/**
 * Every observation of one or more types, typed by type:
 * `observationsOf(trace, 'connection')[0]?.data.state` is a `ConnectionState`.
 */
export function observationsOf<T extends ObservationType>(
  trace: Trace,
  types: T | readonly T[],
): Array<IndexedObservation<T>> {
  const wanted: readonly ObservationType[] = typeof types === 'string' ? [types] : types;
  const out: Array<IndexedObservation<T>> = [];
  trace.observations.forEach((o, index) => {
    if (!wanted.includes(o.type)) return;
    // o.type is one of T, so this is the observation of that type.
    const indexed: TraceObservationOf<ObservationType> & { index: number } = {
      at: o.at,
      type: o.type,
      data: o.data,
      index,
    };
    out.push(indexed as unknown as IndexedObservation<T>);
  });
  return out;
}

/** Every runner action of one or more kinds, typed by kind. */
export function actionsOf<K extends TraceActionKind>(
  trace: Trace,
  kinds: K | readonly K[],
): Array<TraceActionOf<K>> {
  const wanted: readonly TraceActionKind[] = typeof kinds === 'string' ? [kinds] : kinds;
  return trace.actions.filter((a): a is TraceAction & TraceActionOf<K> => wanted.includes(a.kind));
}

/** The connection with this number. */
export function connectionOf(trace: Trace, number: number): TraceConnection | undefined {
  return trace.connections.find((c) => c.number === number);
}

/** `response_id` of a response-scoped event, or `response.id` of `response.created/done`. */
export function responseIdOf(event: Record<string, unknown>): string | undefined {
  return str(event.response_id) ?? str(obj(event.response)?.id);
}

/** `response.status` of a `response.done`. */
export function responseStatusOf(event: Record<string, unknown>): string | undefined {
  return str(obj(event.response)?.status);
}

/** `response.status_details.reason` of a `response.done`. */
export function responseReasonOf(event: Record<string, unknown>): string | undefined {
  return str(obj(obj(event.response)?.status_details)?.reason);
}

/** The `error` object of an `error` event, as plain fields. */
export function errorOf(event: Record<string, unknown>): {
  code: string | undefined;
  message: string | undefined;
  eventId: string | undefined;
  param: string | undefined;
} {
  const e = obj(event.error) ?? {};
  return {
    code: str(e.code),
    message: str(e.message),
    eventId: str(e.event_id),
    param: str(e.param),
  };
}

/** Bytes of a base64 PCM16 payload when it is valid audio, else undefined. */
export function validAudioBytes(base64: unknown): number | undefined {
  if (typeof base64 !== 'string' || pcm16Base64Problem(base64) !== undefined) return undefined;
  return decodedBase64Length(base64);
}

/** Milliseconds of PCM16 24 kHz mono audio in `bytes`. */
export function bytesToMs(bytes: number): number {
  return bytes / BYTES_PER_MS;
}

/**
 * The run's speed factor (`trace.speed`; 1 when absent): the mock's reply pacing, the
 * microphone and the adapter's virtual speaker (`connect.options.speed`: 48 × speed bytes per
 * ms) all run this many times faster than real time.
 */
function speedOf(trace: Pick<Trace, 'speed'>): number {
  const s = trace.speed;
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? s : 1;
}

/**
 * How long `audioMs` of audio takes on the trace's (wall) clock at the run's speed. The one
 * place rules and metrics turn audio durations into trace time.
 */
export function wallMsOfAudio(trace: Pick<Trace, 'speed'>, audioMs: number): number {
  return audioMs / speedOf(trace);
}

/** How much audio (ms) plays in `wallMs` of the trace's clock at the run's speed. */
export function audioMsOfWall(trace: Pick<Trace, 'speed'>, wallMs: number): number {
  return wallMs * speedOf(trace);
}

/** Every `audio.played` observation, placed on the clock (start = arrival − duration / speed). */
export const playedChunks = perFinishedTrace(readPlayedChunks);

function readPlayedChunks(trace: Trace): PlayedChunk[] {
  return observationsOf(trace, 'audio.played').flatMap((o) => {
    const bytes = o.data.bytes;
    if (bytes <= 0) return [];
    const ms = bytesToMs(bytes);
    return [
      {
        index: o.index,
        end: o.at,
        start: o.at - wallMsOfAudio(trace, ms),
        bytes,
        ms,
        wallMs: wallMsOfAudio(trace, ms),
        responseId: o.data.response_id,
        itemId: o.data.item_id,
        audio: o.data.audio,
      },
    ];
  });
}

/** A `playback.stopped` observation, with the responses it names (empty: all of them). */
export interface StopReport {
  index: number;
  at: number;
  reason: PlaybackStopReason;
  responseIds: string[];
  droppedBytes: number;
}

/** Every `playback.stopped` observation. */
export function stopReports(trace: Trace): StopReport[] {
  return observationsOf(trace, 'playback.stopped').map((o) => ({
    index: o.index,
    at: o.at,
    reason: o.data.reason,
    responseIds: [...(o.data.response_ids ?? [])],
    droppedBytes: o.data.droppedBytes,
  }));
}

/** Whether a stop report covers a response (a report naming no response covers all). */
export function stopCovers(stop: StopReport, responseId: string): boolean {
  return stop.responseIds.length === 0 || stop.responseIds.includes(responseId);
}

/** One response as the mock streamed it: creation, valid audio deltas, its first `done`. */
export interface StreamedResponse {
  id: string;
  connection: number;
  created: WireEvent | undefined;
  /** Valid audio deltas (bad ones are in `badDeltas`), in order. */
  deltas: Array<WireEvent & { bytes: number }>;
  badDeltas: WireEvent[];
  /** Every `response.done` for this id, in order (a duplicated event shows up twice). */
  dones: WireEvent[];
  transcriptDeltas: WireEvent[];
}

/** Every response id the mock mentioned, with what it sent for it. */
export const streamedResponses = perFinishedTrace(readStreamedResponses);

function readStreamedResponses(trace: Trace): Map<string, StreamedResponse> {
  const map = new Map<string, StreamedResponse>();
  const get = (id: string, connection: number): StreamedResponse => {
    let r = map.get(id);
    if (!r) {
      r = {
        id,
        connection,
        created: undefined,
        deltas: [],
        badDeltas: [],
        dones: [],
        transcriptDeltas: [],
      };
      map.set(id, r);
    }
    return r;
  };
  for (const e of wireEvents(trace, 'out')) {
    const id = responseIdOf(e.event);
    if (id === undefined) continue;
    switch (e.type) {
      case 'response.created': {
        const r = get(id, e.connection);
        r.created ??= e;
        break;
      }
      case 'response.output_audio.delta': {
        const r = get(id, e.connection);
        const bytes = validAudioBytes(e.event.delta);
        if (bytes === undefined || bytes === 0) r.badDeltas.push(e);
        else r.deltas.push({ ...e, bytes });
        break;
      }
      case 'response.output_audio_transcript.delta':
        get(id, e.connection).transcriptDeltas.push(e);
        break;
      case 'response.done':
        get(id, e.connection).dones.push(e);
        break;
    }
  }
  return map;
}

/** Whether the response ended cancelled (or incomplete because the user barged in). */
export function isCancelledDone(event: Record<string, unknown>): boolean {
  const status = responseStatusOf(event);
  return (
    status === 'cancelled' ||
    (status === 'incomplete' && responseReasonOf(event) === 'turn_detected')
  );
}

/**
 * Bytes of a response played by time `t` under the speaker model: chunks that ended by `t`
 * count whole, the chunk playing at `t` counts up to `t`.
 */
export function playedBytesBy(
  chunks: readonly PlayedChunk[],
  responseId: string,
  t: number,
): number {
  let bytes = 0;
  for (const c of chunks) {
    if (c.responseId !== responseId) continue;
    if (c.end <= t) bytes += c.bytes;
    else if (c.start < t) bytes += (c.bytes * (t - c.start)) / c.wallMs;
  }
  return bytes;
}

/** Whether an `end` action (the app ended the session) happened in `[from, to]`. */
export function appEndedBetween(trace: Trace, from: number, to: number): boolean {
  return trace.actions.some((a) => a.kind === 'end' && a.at >= from && a.at <= to);
}

/**
 * Closes by the client in the last this-many ms of a run are the runner stopping the client
 * (`shutdown` when a scenario ends or times out), not the client's own decision.
 */
export const RUN_END_MS = 1000;

/**
 * When the client itself closed connection `number` within `windowMs` after `from`, not
 * because the app ended the session (an `end` action before the close, even one before
 * `from`: an error answering a frame in flight can arrive after the app's end) and not as the
 * runner stopped it at the end of the run (see {@link RUN_END_MS}); else undefined.
 */
export function clientClosedAfter(
  trace: Trace,
  number: number,
  from: number,
  windowMs: number,
): number | undefined {
  const c = connectionOf(trace, number);
  if (c?.closedBy !== 'client' || c.closedAt === undefined) return undefined;
  if (c.closedAt < from || c.closedAt - from > windowMs) return undefined;
  if (appEndedBetween(trace, c.openedAt, c.closedAt)) return undefined;
  if (trace.endedAt - c.closedAt <= RUN_END_MS) return undefined;
  return c.closedAt;
}

/** Whether the runner asked the client to connect (a `connect` action) in `(from, to]`. */
export function connectAskedBetween(trace: Trace, from: number, to: number): boolean {
  return trace.actions.some((a) => a.kind === 'connect' && a.at > from && a.at <= to);
}

/** Whether the trace was driven through an adapter (app-side observations exist). */
export function hasApp(trace: Trace): boolean {
  return trace.drive === 'adapter';
}

/** Whether the adapter declared a feature. */
export function hasFeature(trace: Trace, feature: string): boolean {
  return trace.features.includes(feature);
}

/** Evidence that the harness itself stalled: measured, or timestamps that bunched after a pause. */
export interface HarnessStall {
  /** When the harness caught up: the first item of the bunch was stamped, or the heartbeat ran. */
  at: number;
  /** How long the harness was behind when it caught up, at least (ms). */
  lateMs: number;
}

/**
 * Stalls of the harness, measured and read from the trace. The runner's heartbeat measures its
 * own stalls (`trace.stalls`, real clock only: spans in which its event loop did not run).
 * Others show in the timestamps: the mock paces reply audio in real time and the virtual
 * speaker reports one chunk per chunk duration; both are stamped on the runner's clock. When a
 * process stalls (a loaded machine, a long GC), the mock's timers fire late and the adapter's
 * lines wait in the pipe, so consecutive deltas of one response, or consecutive `audio.played`
 * reports, arrive closer together than half their duration. Each such bunch says the harness
 * was at least `Σ durations − span` late when it stamped the first item. The client's
 * microphone appends, fed in real time by the runner, bunch up the same way when the client's
 * process was starved. Rules that measure wall-clock gaps discount this lateness instead of
 * blaming the client (`stallWithin`). (A mock that sent audio faster than real time would look
 * like stalls too; it paces in real time.)
 */
export const harnessStalls = perFinishedTrace(readHarnessStalls);

function readHarnessStalls(trace: Trace): HarnessStall[] {
  const stalls = measuredStalls(trace);
  const scan = (items: ReadonlyArray<{ at: number; wallMs: number }>, paced: boolean) => {
    let runStart = 0;
    for (let i = 1; i <= items.length; i++) {
      const bunched = i < items.length && items[i]!.at - items[i - 1]!.at < items[i]!.wallMs / 2;
      if (bunched) continue;
      if (i - 1 > runStart) {
        const run = items.slice(runStart, i);
        const first = run[0]!;
        const expected = run.slice(1).reduce((n, x) => n + x.wallMs, 0);
        let lateMs = expected - (run[run.length - 1]!.at - first.at);
        // The mock paces a reply's deltas one duration apart, so the pause before a bunch,
        // beyond that, is lateness too. (Speaker reports may pause legitimately: underruns.)
        const before = items[runStart - 1];
        if (paced && before) lateMs = Math.max(lateMs, first.at - before.at - first.wallMs);
        stalls.push({ at: first.at, lateMs });
      }
      runStart = i;
    }
  };
  for (const r of streamedResponses(trace).values()) {
    scan(
      r.deltas.map((d) => ({ at: d.at, wallMs: wallMsOfAudio(trace, bytesToMs(d.bytes)) })),
      true,
    );
  }
  scan(
    playedChunks(trace).map((c) => ({ at: c.end, wallMs: c.wallMs })),
    false,
  );
  // The runner feeds the microphone in real time: when the client's own process was not
  // scheduled (a loaded machine), its appends bunch up afterwards, and whatever it would have
  // played meanwhile is late for the same reason.
  if (trace.actions.some((a) => a.kind === 'connect') && trace.drive === 'adapter') {
    const byConnection = new Map<number, Array<{ at: number; wallMs: number }>>();
    for (const e of wireEvents(trace, 'in', 'input_audio_buffer.append')) {
      const audio = e.event.audio;
      if (typeof audio !== 'string') continue;
      const list = byConnection.get(e.connection) ?? [];
      list.push({ at: e.at, wallMs: wallMsOfAudio(trace, bytesToMs(decodedBase64Length(audio))) });
      byConnection.set(e.connection, list);
    }
    for (const list of byConnection.values()) scan(list, false);
  }
  return stalls.sort((a, b) => a.at - b.at);
}

/**
 * Only the stalls the runner's heartbeat measured (`trace.stalls`), for rules that judge the
 * client's own pacing: stalls read from bunched timestamps would let a client that bursts
 * explain its bursts away.
 */
export function measuredStalls(trace: Pick<Trace, 'stalls'>): HarnessStall[] {
  return (trace.stalls ?? []).map((s) => ({ at: s.to, lateMs: s.to - s.from }));
}

/** How long the runner's heartbeat measured it stalled within `[from, to]` (ms; 0 without). */
export function stalledBetween(trace: Pick<Trace, 'stalls'>, from: number, to: number): number {
  return (trace.stalls ?? []).reduce(
    (n, s) => n + Math.max(0, Math.min(to, s.to) - Math.max(from, s.from)),
    0,
  );
}

/**
 * How much of `[from, to]` the harness's stalls explain (ms, 0 when none): the larger of the
 * worst lateness stamped inside the window and the time the stalls (each the span
 * `[at − lateMs, at]`, overlapping ones merged) cover in it. The second catches a stall whose
 * evidence arrived just after the window, and several stalls in one window.
 */
export function stallWithin(stalls: readonly HarnessStall[], from: number, to: number): number {
  const stamped = stalls.reduce(
    (m, s) => (s.at >= from && s.at <= to ? Math.max(m, s.lateMs) : m),
    0,
  );
  const spans = stalls
    .map((s) => [Math.max(from, s.at - s.lateMs), Math.min(to, s.at)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = from;
  for (const [a, b] of spans) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return Math.max(stamped, covered);
}
