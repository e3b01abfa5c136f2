import type { Trace, TraceAction, TraceConnection } from '../trace/trace.js';
import {
  errorOf,
  isCancelledDone,
  playedBytesBy,
  playedChunks,
  stopCovers,
  stopReports,
  streamedResponses,
  stalledBetween,
  wireEvents,
  bytesToMs,
  observationsOf,
  str,
  audioMsOfWall,
} from '../trace/trace-query.js';
import type {
  IndexedObservation,
  PlayedChunk,
  StopReport,
  StreamedResponse,
  WireEvent,
} from '../trace/trace-query.js';

/*
 * Episodes of a trace that the metrics and the rules both read: barge-ins, cancellations, tool
 * round trips, busy closes, interrupts.
 */

/** Audio under this much (ms) is not "still playing or queued": clock noise of the reports. */
export const PENDING_MIN_MS = 20;

/** One response that still had audio playing or queued when the user barged in. */
export interface InterruptedResponse {
  responseId: string;
  /** Audio of it delivered before `speech_started` but not played by then (ms). */
  pendingMs: number;
  /**
   * The last `audio.played` of what of it was playing or queued at `speech_started` (see
   * {@link lastPendingChunk}): stale deltas that arrived after the client's stop and were
   * played again are STALE-FENCE's, not a slow stop.
   */
  lastPlayed: PlayedChunk | undefined;
  /** max(0, that last played sample − speech_started sent), ms. */
  lStop: number;
  /** The first `playback.stopped` at or after `speech_started` that covers it. */
  stop: StopReport | undefined;
  /**
   * The first `audio.dropped` for it at or after `speech_started`: audio the client dropped
   * before it reached the speaker (a speaker that held nothing sends no `playback.stopped`).
   */
  dropped: IndexedObservation | undefined;
}

/** One `speech_started` sent while reply audio was playing or queued. */
export interface BargeIn {
  speechStarted: WireEvent;
  responses: InterruptedResponse[];
}

/**
 * Every barge-in of the trace: a `speech_started` sent while some response still had audio
 * playing or queued at the client. A response counts as playing or queued at time T when more
 * than {@link PENDING_MIN_MS} of its audio had been delivered before T and not played by T
 * (by the virtual speaker's clock) nor reported dropped (`audio.dropped`) before T, no
 * `playback.stopped` covering it came in between (a client with its own VAD may stop before the
 * server's `speech_started`), and the mock had not cancelled it before T (what still sounds of a
 * cancelled reply is STALE-FENCE's).
 */
export function bargeIns(trace: Trace): BargeIn[] {
  const chunks = playedChunks(trace);
  const stops = stopReports(trace);
  const drops = observationsOf(trace, 'audio.dropped');
  const responses = [...streamedResponses(trace).values()];
  const out: BargeIn[] = [];
  for (const s of wireEvents(trace, 'out', 'input_audio_buffer.speech_started')) {
    const T = s.at;
    const interrupted: InterruptedResponse[] = [];
    for (const r of responses) {
      if (r.connection !== s.connection) continue;
      const delivered = r.deltas.filter((d) => d.index < s.index).reduce((n, d) => n + d.bytes, 0);
      if (delivered === 0) continue;
      const firstDeltaAt = r.deltas[0]!.at;
      const stoppedBefore = stops.some(
        (st) => st.at >= firstDeltaAt && st.at < T && stopCovers(st, r.id),
      );
      if (stoppedBefore) continue;
      // A reply the mock had already cancelled before T is no longer the client's to play:
      // whatever of it still sounds after T is STALE-FENCE's (audio played after the cancel).
      if (r.dones.some((d) => d.at < T && isCancelledDone(d.event))) continue;
      // Audio the client reported dropping before T (e.g. late deltas after an earlier
      // speech_started, refused as stale) is not queued at T.
      const droppedBefore = drops
        .filter((o) => o.at < T && o.data.response_id === r.id)
        .reduce((n, o) => n + (o.data.bytes ?? 0), 0);
      const pendingMs = bytesToMs(delivered - droppedBefore - playedBytesBy(chunks, r.id, T));
      if (pendingMs <= PENDING_MIN_MS) continue;
      const stop = stops.find((st) => st.at >= T && stopCovers(st, r.id));
      const lastPlayed = lastPendingChunk(chunks, r, delivered, s, stop);
      interrupted.push({
        responseId: r.id,
        pendingMs,
        lastPlayed,
        lStop: Math.max(0, (lastPlayed?.end ?? T) - T),
        stop,
        dropped: drops.find((o) => o.at >= T && o.data.response_id === r.id),
      });
    }
    if (interrupted.length > 0) out.push({ speechStarted: s, responses: interrupted });
  }
  return out;
}

/**
 * The last chunk of response `r` that played audio it had delivered before `speechStarted`
 * (`delivered` bytes). The speaker plays a response's audio in order, so a chunk belongs to
 * that audio while the bytes of `r` played before it are under `delivered`; after the first
 * `stop` covering `r` at or after `speech_started`, a chunk that ended after a delta of `r`
 * that arrived after the stop is that late delta replayed (STALE-FENCE's), not the old queue,
 * and neither is anything after it.
 */
export function lastPendingChunk(
  chunks: readonly PlayedChunk[],
  r: StreamedResponse,
  delivered: number,
  speechStarted: WireEvent,
  stop: StopReport | undefined,
): PlayedChunk | undefined {
  const lateAfterStop =
    stop === undefined
      ? []
      : r.deltas.filter((d) => d.index > speechStarted.index && d.at >= stop.at);
  let playedBefore = 0;
  let last: PlayedChunk | undefined;
  for (const c of chunks.filter((x) => x.responseId === r.id).sort((a, b) => a.end - b.end)) {
    if (playedBefore >= delivered) break;
    if (lateAfterStop.some((d) => d.at <= c.end)) break;
    playedBefore += c.bytes;
    last = c;
  }
  return last;
}

/** A response that ended cancelled, with what of it was played after the cancel. */
export interface Cancellation {
  response: StreamedResponse;
  /** Its first cancelled `response.done`. */
  done: WireEvent;
  /** Chunks of it that were still playing after the cancel or started after it. */
  chunksAfter: PlayedChunk[];
  /**
   * Audio ms of it played after the cancel (the parts of chunks after the `response.done`;
   * wall time × the run's speed, since the speaker plays at that speed).
   */
  leakMs: number;
}

/** Every response cancelled by the mock (`response.done` cancelled, or incomplete on barge-in). */
export function cancellations(trace: Trace): Cancellation[] {
  const chunks = playedChunks(trace);
  const out: Cancellation[] = [];
  for (const r of streamedResponses(trace).values()) {
    const done = r.dones.find((d) => isCancelledDone(d.event));
    if (!done) continue;
    const C = done.at;
    const chunksAfter = chunks.filter((c) => c.responseId === r.id && c.end > C);
    const leakMs = chunksAfter.reduce(
      (n, c) => n + audioMsOfWall(trace, c.end - Math.max(c.start, C)),
      0,
    );
    out.push({ response: r, done, chunksAfter, leakMs });
  }
  return out;
}

/** One tool call of the mock and what the client did about it. */
export interface ToolRoundTrip {
  call: WireEvent;
  callId: string | undefined;
  /** Client `function_call_output` items with this call's `call_id`, on any connection. */
  outputs: WireEvent[];
  /** The adapter's `tool.invoke` for this `call_id`, if any (the first). */
  invoke: IndexedObservation | undefined;
  /** The runner's `tool.result` for this `call_id`, if any (the first). */
  result: TraceAction | undefined;
  /**
   * Tool run time subtracted from L_tool_out (runner's `tool.result` − adapter's `tool.invoke`);
   * the runner's measured stalls outside it are subtracted too.
   */
  runMs: number;
  /** L_tool_out of the first output, when answered. */
  lToolOut: number | undefined;
}

/** `call_id` of a client `conversation.item.create` carrying a `function_call_output`. */
export function functionCallOutputId(event: Record<string, unknown>): string | undefined {
  const item = event.item;
  if (typeof item !== 'object' || item === null) return undefined;
  const i = item as Record<string, unknown>;
  return i.type === 'function_call_output' ? str(i.call_id) : undefined;
}

/** Every `response.function_call_arguments.done` the mock sent (the first of duplicates). */
export function toolRoundTrips(trace: Trace): ToolRoundTrip[] {
  const outputs = wireEvents(trace, 'in', 'conversation.item.create').filter(
    (e) => e.event.item !== undefined,
  );
  const invokes = observationsOf(trace, 'tool.invoke');
  const seen = new Set<string>();
  const out: ToolRoundTrip[] = [];
  for (const call of wireEvents(trace, 'out', 'response.function_call_arguments.done')) {
    const callId = str(call.event.call_id);
    const key = `${call.connection}:${callId}`;
    if (callId !== undefined && seen.has(key)) continue;
    seen.add(key);
    const mine = outputs.filter(
      (o) =>
        callId !== undefined && functionCallOutputId(o.event) === callId && o.index > call.index,
    );
    const invoke = invokes.find((o) => o.data.call_id === callId && o.at >= call.at);
    const result = trace.actions.find(
      (a) => a.kind === 'tool.result' && a.data.call_id === callId && a.at >= call.at,
    );
    const runMs = invoke && result && result.at >= invoke.at ? result.at - invoke.at : 0;
    const first = mine[0];
    // The runner's own stalls outside the tool's run time are the harness's, not the client's.
    const stalled = first
      ? stalledBetween(trace, call.at, first.at) -
        (runMs > 0 ? stalledBetween(trace, invoke!.at, result!.at) : 0)
      : 0;
    out.push({
      call,
      callId,
      outputs: mine,
      invoke,
      result,
      runMs,
      lToolOut: first ? Math.max(0, first.at - call.at - runMs - stalled) : undefined,
    });
  }
  return out;
}

/** One connection the server closed as busy (1013, or a close right after `server_error`). */
export interface BusyClose {
  connection: TraceConnection;
  closedAt: number;
  /** True when it was a transient `server_error` followed by a close, not a 1013. */
  viaServerError: boolean;
  /** The next connection the client opened after the close, if any. */
  next: TraceConnection | undefined;
  /** D_1013: `next.openedAt − closedAt`. */
  delay: number | undefined;
  /** 1 for the first reconnect of a run of busy closes, 2 for the next, … */
  attempt: number;
}

/** How soon after a `server_error` a server close counts as caused by it (ms). */
export const SERVER_ERROR_CLOSE_MS = 1000;

/** Every busy close of the trace, with the reconnect that followed it. */
export function busyCloses(trace: Trace): BusyClose[] {
  const connections = [...trace.connections].sort((a, b) => a.openedAt - b.openedAt);
  const serverErrors = wireEvents(trace, 'out', 'error').filter(
    (e) => errorOf(e.event).code === 'server_error',
  );
  const out: BusyClose[] = [];
  let attempt = 0;
  for (const c of connections) {
    const closedAt = c.closedAt;
    const byServer = c.closedBy === 'server' && closedAt !== undefined;
    const is1013 = byServer && c.closeCode === 1013;
    const viaServerError =
      byServer &&
      !is1013 &&
      serverErrors.some(
        (e) =>
          e.connection === c.number &&
          closedAt - e.at >= 0 &&
          closedAt - e.at <= SERVER_ERROR_CLOSE_MS,
      );
    if (!is1013 && !viaServerError) {
      attempt = 0;
      continue;
    }
    attempt += 1;
    const next = connections.find((n) => n.number !== c.number && n.openedAt >= closedAt!);
    out.push({
      connection: c,
      closedAt: closedAt!,
      viaServerError,
      next,
      delay: next ? next.openedAt - closedAt! : undefined,
      attempt,
    });
  }
  return out;
}

/** An app `interrupt` and the cancel it led to. */
export interface InterruptCancel {
  action: TraceAction;
  /** The response in flight on the wire when the app interrupted, if any. */
  inFlight: StreamedResponse | undefined;
  /** The first `response.cancel` the client sent at or after the interrupt. */
  cancel: WireEvent | undefined;
  /** L_cancel: `cancel.at − action.at`. */
  lCancel: number | undefined;
}

/**
 * The response in flight at time `t` (created at or before `t`, not done by then, on a
 * connection still open then: a reply whose connection closed before its response.done is
 * over, there is nothing left to cancel).
 */
export function responseInFlightAt(
  responses: Iterable<StreamedResponse>,
  t: number,
  connections: readonly TraceConnection[] = [],
): StreamedResponse | undefined {
  let found: StreamedResponse | undefined;
  for (const r of responses) {
    if (!r.created || r.created.at > t) continue;
    const done = r.dones[0];
    if (done && done.at <= t) continue;
    const closedAt = connections.find((c) => c.number === r.connection)?.closedAt;
    if (closedAt !== undefined && closedAt <= t) continue;
    if (!found || r.created.at > found.created!.at) found = r;
  }
  return found;
}

/** Every app `interrupt` action, with the cancel the client sent for it. */
export function interruptCancels(trace: Trace): InterruptCancel[] {
  const responses = [...streamedResponses(trace).values()];
  const cancels = wireEvents(trace, 'in', 'response.cancel');
  return trace.actions
    .filter((a) => a.kind === 'interrupt')
    .map((action) => {
      const inFlight = responseInFlightAt(responses, action.at, trace.connections);
      const cancel = cancels.find((c) => c.at >= action.at);
      return {
        action,
        inFlight,
        cancel,
        lCancel: inFlight && cancel ? cancel.at - action.at : undefined,
      };
    });
}
