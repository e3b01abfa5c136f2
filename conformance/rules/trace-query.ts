import { decodedBase64Length, pcm16Base64Problem } from '../../protocol/codec.js';
import { BYTES_PER_MS } from '../../protocol/audio/pcm16.js';
import type { Trace, TraceAction, TraceConnection, TraceFrame } from '../trace.js';

/*
 * Small, pure readers over a Trace, shared by the rules and the metrics. Every reader returns
 * indexes into the trace's arrays so findings can point at the evidence.
 */

/** A parsed wire event with its index in `trace.frames`. */
export interface WireEvent {
  /** Index into `trace.frames`. */
  index: number;
  at: number;
  dir: 'in' | 'out';
  connection: number;
  type: string;
  event: Record<string, unknown>;
  frame: TraceFrame;
}

/** An adapter observation with its index in `trace.observations`. */
export interface IndexedObservation {
  /** Index into `trace.observations`. */
  index: number;
  at: number;
  type: string;
  data: Record<string, unknown>;
}

/** One `audio.played` report, placed on the clock with the virtual speaker's model. */
export interface PlayedChunk {
  /** Index into `trace.observations`. */
  index: number;
  /** When the chunk's last sample played (the observation's arrival). */
  end: number;
  /** When its first sample played: `end − bytes / 48`. */
  start: number;
  bytes: number;
  ms: number;
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

/** Every parsed wire event, optionally of one direction and one or more types. */
export function wireEvents(
  trace: Trace,
  dir?: 'in' | 'out',
  types?: string | readonly string[],
): WireEvent[] {
  const wanted = types === undefined ? undefined : typeof types === 'string' ? [types] : types;
  const out: WireEvent[] = [];
  trace.frames.forEach((frame, index) => {
    const event = frame.event;
    if (event === undefined || typeof event.type !== 'string') return;
    if (dir !== undefined && frame.dir !== dir) return;
    if (wanted !== undefined && !wanted.includes(event.type)) return;
    out.push({
      index,
      at: frame.at,
      dir: frame.dir,
      connection: frame.connection,
      type: event.type,
      event,
      frame,
    });
  });
  return out;
}

/** Every observation of one or more types. */
export function observationsOf(
  trace: Trace,
  types: string | readonly string[],
): IndexedObservation[] {
  const wanted = typeof types === 'string' ? [types] : types;
  const out: IndexedObservation[] = [];
  trace.observations.forEach((o, index) => {
    if (wanted.includes(o.type)) out.push({ index, at: o.at, type: o.type, data: o.data });
  });
  return out;
}

/** Every runner action of one or more kinds. */
export function actionsOf(trace: Trace, kinds: string | readonly string[]): TraceAction[] {
  const wanted = typeof kinds === 'string' ? [kinds] : kinds;
  return trace.actions.filter((a) => wanted.includes(a.kind));
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

/** Every `audio.played` observation, placed on the clock (start = arrival − duration). */
export function playedChunks(trace: Trace): PlayedChunk[] {
  return observationsOf(trace, 'audio.played').flatMap((o) => {
    const bytes = num(o.data.bytes);
    if (bytes === undefined || bytes <= 0) return [];
    const ms = bytesToMs(bytes);
    return [
      {
        index: o.index,
        end: o.at,
        start: o.at - ms,
        bytes,
        ms,
        responseId: str(o.data.response_id),
        itemId: str(o.data.item_id),
        audio: str(o.data.audio),
      },
    ];
  });
}

/** A `playback.stopped` observation, with the responses it names (empty: all of them). */
export interface StopReport {
  index: number;
  at: number;
  reason: string | undefined;
  responseIds: string[];
  droppedBytes: number | undefined;
}

/** Every `playback.stopped` observation. */
export function stopReports(trace: Trace): StopReport[] {
  return observationsOf(trace, 'playback.stopped').map((o) => ({
    index: o.index,
    at: o.at,
    reason: str(o.data.reason),
    responseIds: Array.isArray(o.data.response_ids)
      ? o.data.response_ids.filter((x): x is string => typeof x === 'string')
      : [],
    droppedBytes: num(o.data.droppedBytes),
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
export function streamedResponses(trace: Trace): Map<string, StreamedResponse> {
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
    else if (c.start < t) bytes += (t - c.start) * BYTES_PER_MS;
  }
  return bytes;
}

/** Whether an `end` action (the app ended the session) happened in `[from, to]`. */
export function appEndedBetween(trace: Trace, from: number, to: number): boolean {
  return trace.actions.some((a) => a.kind === 'end' && a.at >= from && a.at <= to);
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

/** Formats a duration in ms for reasons: `12 ms`, `1.25 s`. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2).replace(/\.?0+$/, '')} s`;
  return `${Math.round(ms)} ms`;
}

/** "1 thing" / "3 things". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
