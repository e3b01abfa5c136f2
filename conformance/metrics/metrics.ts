import type { Budgets, RuleContext } from '../rules/rule.js';
import type { Trace, TraceAction, TraceConnection } from '../trace/trace.js';
import {
  errorOf,
  isCancelledDone,
  playedBytesBy,
  playedChunks,
  stopCovers,
  stopReports,
  streamedResponses,
  wireEvents,
  bytesToMs,
  observationsOf,
  str,
  speedOf,
} from '../trace/trace-query.js';
import type {
  IndexedObservation,
  PlayedChunk,
  StopReport,
  StreamedResponse,
  WireEvent,
} from '../trace/trace-query.js';

/*
 * Latency metrics and the budgets the rules judge them (and their other thresholds) against.
 *
 * Every metric is a pure function Trace → samples in ms, on the trace's one clock (the mock's
 * wire timestamps and the runner's arrival times of adapter observations are directly
 * comparable). Rules report them; reports summarise them with `summarise`.
 */

// ---------------------------------------------------------------------------------------------
// Budgets

/** One tunable threshold: a metric budget or a rule's parameter. */
export interface BudgetDefinition {
  /** Key in {@link DEFAULT_BUDGETS} and in `RuleContext.budgets`. */
  readonly key: string;
  /** The default value. */
  readonly value: number;
  readonly unit: 'ms' | 'ratio' | 'count' | 'MB/h';
  /** `catalogue`: the value the rule catalogue proposes; `ours`: chosen by this project. */
  readonly source: 'catalogue' | 'ours';
  /** What it bounds, in one sentence. */
  readonly description: string;
}

/**
 * Every budget and threshold the rules use, with its default. All of them are tunable: pass
 * other values in `RuleContext.budgets` (missing keys fall back to these defaults).
 */
export const BUDGET_DEFINITIONS = [
  {
    key: 'L_stop.p95',
    value: 200,
    unit: 'ms',
    source: 'catalogue',
    description:
      'BARGE-STOP: p95 of L_stop (last sample of the interrupted reply played − speech_started sent).',
  },
  {
    key: 'L_tool_out.p95',
    value: 50,
    unit: 'ms',
    source: 'catalogue',
    description:
      'TOOL-ANSWER: p95 of L_tool_out (client overhead around a tool call); over it the rule warns.',
  },
  {
    key: 'L_cancel.p95',
    value: 250,
    unit: 'ms',
    source: 'ours',
    description:
      'CANCEL-ACTIVE: p95 of L_cancel (response.cancel received − app interrupt); over it the rule warns.',
  },
  {
    key: 'D_1013.firstMin',
    value: 250,
    unit: 'ms',
    source: 'catalogue',
    description: 'CLOSE-BUSY: the first reconnect after a 1013 waits at least this long.',
  },
  {
    key: 'D_1013.growthMin',
    value: 1.5,
    unit: 'ratio',
    source: 'catalogue',
    description:
      'CLOSE-BUSY (across runs): the longest delay per attempt number grows by at least this factor until the cap.',
  },
  {
    key: 'D_1013.growthTolerance',
    value: 0.2,
    unit: 'ratio',
    source: 'ours',
    description:
      'CLOSE-BUSY (across runs): allowance on the growth factor: the fitted factor must reach growthMin × (1 − this).',
  },
  {
    key: 'D_1013.capMin',
    value: 2000,
    unit: 'ms',
    source: 'ours',
    description:
      'CLOSE-BUSY (across runs): delays may stop growing (reach their cap) only once they are at least this long.',
  },
  {
    key: 'D_1013.maxAttempts',
    value: 10,
    unit: 'count',
    source: 'ours',
    description:
      'CLOSE-BUSY: more consecutive reconnects than this after 1013 means there is no attempt limit.',
  },
  {
    key: 'D_1013.waitMs',
    value: 30000,
    unit: 'ms',
    source: 'ours',
    description:
      'CLOSE-BUSY: a 1013 followed by this long without a reconnect (or a client that gives up at once) means no reconnect.',
  },
  {
    key: 'D_1013.cvMin',
    value: 0.3,
    unit: 'ratio',
    source: 'catalogue',
    description:
      'CLOSE-BUSY (across runs): coefficient of variation of reconnect delays must exceed this (jitter).',
  },
  {
    key: 'D_1013.minRuns',
    value: 3,
    unit: 'count',
    source: 'ours',
    description:
      'CLOSE-BUSY (across runs): runs with reconnect delays needed to judge growth and spread.',
  },
  {
    key: 'close.limitQuietMs',
    value: 5000,
    unit: 'ms',
    source: 'catalogue',
    description: 'CLOSE-LIMIT: no reconnect within this long after a 4008.',
  },
  {
    key: 'close.cleanMs',
    value: 1000,
    unit: 'ms',
    source: 'ours',
    description:
      'CLOSE-CLEAN: after the app ends the session, the client closes with 1000 within this.',
  },
  {
    key: 'close.afterEndGraceMs',
    value: 500,
    unit: 'ms',
    source: 'ours',
    description:
      'CLOSE-CLEAN: frames stamped this soon after the app ended the session were in flight (or held up by the harness); later ones are sent after end.',
  },
  {
    key: 'liveness.detectMs',
    value: 45000,
    unit: 'ms',
    source: 'catalogue',
    description:
      'LIVENESS: a silent dead connection is detected within this (not judged yet: no ping data).',
  },
  {
    key: 'session.ackTimeoutMs',
    value: 5000,
    unit: 'ms',
    source: 'ours',
    description:
      'SESSION-ACK: no session.updated this long after session.update is a missing ack the app must hear about.',
  },
  {
    key: 'append.minChunkMs',
    value: 10,
    unit: 'ms',
    source: 'catalogue',
    description: 'APPEND-SIZE: smallest audio chunk (except the last of a stream).',
  },
  {
    key: 'append.maxChunkMs',
    value: 200,
    unit: 'ms',
    source: 'catalogue',
    description: 'APPEND-SIZE: largest audio chunk.',
  },
  {
    key: 'append.paceTolerance',
    value: 0.1,
    unit: 'ratio',
    source: 'ours',
    description:
      'APPEND-PACE: audio ms per wall ms over a stream of append.paceWindowMs or more must lie within 1 ± this.',
  },
  {
    key: 'append.paceWindowMs',
    value: 10000,
    unit: 'ms',
    source: 'catalogue',
    description:
      'APPEND-PACE: streams with at least this much audio are held to append.paceTolerance (the catalogue: ≈ 1.0 over 10 s).',
  },
  {
    key: 'append.paceShortTolerance',
    value: 0.4,
    unit: 'ratio',
    source: 'ours',
    description:
      'APPEND-PACE: shorter streams are judged only for gross errors: rate within 1 ± this.',
  },
  {
    key: 'append.paceMinAudioMs',
    value: 2000,
    unit: 'ms',
    source: 'ours',
    description:
      'APPEND-PACE: a continuous stream must carry at least this much audio to be judged.',
  },
  {
    key: 'append.streamGapMs',
    value: 500,
    unit: 'ms',
    source: 'ours',
    description: 'APPEND-PACE / APPEND-SIZE: a pause this long between appends ends a stream.',
  },
  {
    key: 'append.micRatioMax',
    value: 1.1,
    unit: 'ratio',
    source: 'ours',
    description:
      'APPEND-PACE: audio sent may exceed the microphone audio fed to the client by at most this factor.',
  },
  {
    key: 'play.jitterMs',
    value: 150,
    unit: 'ms',
    source: 'ours',
    description:
      'PLAY-ORDER: lateness of audio.played reports tolerated: a silence inside a reply while its audio had arrived, or an overlap, longer than this is a finding.',
  },
  {
    key: 'stale.slackMs',
    value: 200,
    unit: 'ms',
    source: 'ours',
    description:
      'STALE-FENCE: audio of a cancelled reply may still end this long after the cancel (one chunk; at least the L_stop budget).',
  },
  {
    key: 'cancel.raceMs',
    value: 100,
    unit: 'ms',
    source: 'ours',
    description:
      'CANCEL-ACTIVE: a response.cancel arriving this soon after the response ended crossed it on the wire (a race).',
  },
  {
    key: 'errors.closeGraceMs',
    value: 1000,
    unit: 'ms',
    source: 'ours',
    description:
      'ERROR-SURVIVE: an error followed this soon by a server close belongs to the close rules.',
  },
  {
    key: 'errors.closeWindowMs',
    value: 5000,
    unit: 'ms',
    source: 'ours',
    description:
      'ERROR-SURVIVE, RACE-TOLERANT, UNKNOWN-TOLERANT, PLAY-STRICT, MODE-PREMIUM: a client close this soon after the event counts as caused by it.',
  },
  {
    key: 'app.reportWaitMs',
    value: 1000,
    unit: 'ms',
    source: 'ours',
    description:
      'App rules: a wire event this close to the end of the trace may not have been reported yet; it is not judged.',
  },
  {
    key: 'tool.answerWaitMs',
    value: 5000,
    unit: 'ms',
    source: 'ours',
    description:
      'TOOL-ANSWER / TOOL-TRIGGER: how long after a tool call (plus the tool run time) its answer may take before it counts as missing.',
  },
  {
    key: 'premium.stallMs',
    value: 1000,
    unit: 'ms',
    source: 'ours',
    description:
      'MODE-PREMIUM: a client that stops streaming the microphone this long after a nudge is waiting for a reply.',
  },
  {
    key: 'ptt.minCommitMs',
    value: 100,
    unit: 'ms',
    source: 'catalogue',
    description: 'PUSH-TO-TALK: audio needed since the last commit, clear or server turn end.',
  },
  {
    key: 'memory.slopeMaxMBPerHour',
    value: 20,
    unit: 'MB/h',
    source: 'catalogue',
    description: 'BOUNDED-MEMORY: largest memory growth (needs memory samples; see the rule).',
  },
  {
    key: 'memory.minSpanMs',
    value: 600000,
    unit: 'ms',
    source: 'ours',
    description: 'BOUNDED-MEMORY: memory samples must span at least this long to fit a slope.',
  },
] as const satisfies readonly BudgetDefinition[];

/** A budget key. */
export type BudgetKey = (typeof BUDGET_DEFINITIONS)[number]['key'];

/** The default of every budget (see {@link BUDGET_DEFINITIONS}). */
export const DEFAULT_BUDGETS: Readonly<Record<BudgetKey, number>> = Object.freeze(
  Object.fromEntries(BUDGET_DEFINITIONS.map((b) => [b.key, b.value])) as Record<BudgetKey, number>,
);

/** The context rules get by default: the default budgets. */
export const DEFAULT_RULE_CONTEXT: RuleContext = { budgets: DEFAULT_BUDGETS };

/**
 * A budget from a context, falling back to the default. A key outside {@link BUDGET_DEFINITIONS}
 * is a harness bug and throws.
 */
export function budget(context: RuleContext | { budgets: Budgets }, key: BudgetKey): number {
  const value = context.budgets[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (!(key in DEFAULT_BUDGETS)) throw new Error(`unknown budget ${JSON.stringify(key)}`);
  return DEFAULT_BUDGETS[key];
}

// ---------------------------------------------------------------------------------------------
// Summaries

/** count / p50 / p95 / max of a metric's samples; the percentiles are undefined when empty. */
export interface MetricSummary {
  count: number;
  p50: number | undefined;
  p95: number | undefined;
  max: number | undefined;
}

/**
 * Summarises samples with nearest-rank percentiles (the value at rank ⌈p·n⌉ of the sorted
 * samples): every reported figure is a real sample, and with fewer than 20 samples p95 is the
 * maximum, which is what a budget on few repetitions should see.
 */
export function summarise(samples: readonly number[]): MetricSummary {
  const sorted = samples.filter((s) => Number.isFinite(s)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, p50: undefined, p95: undefined, max: undefined };
  const rank = (p: number): number => sorted[Math.min(n, Math.max(1, Math.ceil(p * n))) - 1]!;
  return { count: n, p50: rank(0.5), p95: rank(0.95), max: sorted[n - 1]! };
}

// ---------------------------------------------------------------------------------------------
// Shared analyses (the metrics below and the rules both read them)

/** Audio under this much (ms) is not "still playing or queued": clock noise of the reports. */
export const PENDING_MIN_MS = 20;

/** One response that still had audio playing or queued when the user barged in. */
export interface InterruptedResponse {
  responseId: string;
  /** Audio of it delivered before `speech_started` but not played by then (ms). */
  pendingMs: number;
  /** The last `audio.played` of it (any time), if any. */
  lastPlayed: PlayedChunk | undefined;
  /** max(0, last played sample − speech_started sent), ms. */
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
 * (by the virtual speaker's clock), and no `playback.stopped` covering it came in between (a
 * client with its own VAD may stop before the server's `speech_started`).
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
      const pendingMs = bytesToMs(delivered - playedBytesBy(chunks, r.id, T));
      if (pendingMs <= PENDING_MIN_MS) continue;
      const mine = chunks.filter((c) => c.responseId === r.id);
      const lastPlayed =
        mine.length > 0 ? mine.reduce((a, b) => (b.end > a.end ? b : a)) : undefined;
      interrupted.push({
        responseId: r.id,
        pendingMs,
        lastPlayed,
        lStop: Math.max(0, (lastPlayed?.end ?? T) - T),
        stop: stops.find((st) => st.at >= T && stopCovers(st, r.id)),
        dropped: drops.find((o) => o.at >= T && o.data.response_id === r.id),
      });
    }
    if (interrupted.length > 0) out.push({ speechStarted: s, responses: interrupted });
  }
  return out;
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
  const speed = speedOf(trace);
  const out: Cancellation[] = [];
  for (const r of streamedResponses(trace).values()) {
    const done = r.dones.find((d) => isCancelledDone(d.event));
    if (!done) continue;
    const C = done.at;
    const chunksAfter = chunks.filter((c) => c.responseId === r.id && c.end > C);
    const leakMs = chunksAfter.reduce((n, c) => n + (c.end - Math.max(c.start, C)) * speed, 0);
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
  /** Tool run time subtracted from L_tool_out (runner's `tool.result` − adapter's `tool.invoke`). */
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
    out.push({
      call,
      callId,
      outputs: mine,
      invoke,
      result,
      runMs,
      lToolOut: first ? first.at - call.at - runMs : undefined,
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

/** The response in flight at time `t` (created at or before `t`, not done by then). */
export function responseInFlightAt(
  responses: Iterable<StreamedResponse>,
  t: number,
): StreamedResponse | undefined {
  let found: StreamedResponse | undefined;
  for (const r of responses) {
    if (!r.created || r.created.at > t) continue;
    const done = r.dones[0];
    if (done && done.at <= t) continue;
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
      const inFlight = responseInFlightAt(responses, action.at);
      const cancel = cancels.find((c) => c.at >= action.at);
      return {
        action,
        inFlight,
        cancel,
        lCancel: inFlight && cancel ? cancel.at - action.at : undefined,
      };
    });
}

// ---------------------------------------------------------------------------------------------
// The metrics

/** A metric: a name, its definition and a pure function Trace → samples (ms). */
export interface MetricDefinition {
  readonly name: MetricName;
  readonly title: string;
  /** The definition, as documented. */
  readonly definition: string;
  /** True when the samples come from adapter observations ([app]). */
  readonly app: boolean;
  /** The budget key its p95 is judged against, when it has one. */
  readonly budget?: BudgetKey;
  readonly compute: (trace: Trace) => number[];
}

/** Names of the metrics. */
export type MetricName =
  | 'L_ready'
  | 'L_first_append'
  | 'L_play'
  | 'L_stop'
  | 'L_cancel'
  | 'L_tool_out'
  | 'D_1013'
  | 'stale_leak';

/**
 * L_ready: per connection, `session.updated` sent − socket open (the first `session.updated`
 * of the connection; connections without one give no sample).
 */
export function lReady(trace: Trace): number[] {
  const updated = wireEvents(trace, 'out', 'session.updated');
  return trace.connections.flatMap((c) => {
    const first = updated.find((e) => e.connection === c.number);
    return first ? [first.at - c.openedAt] : [];
  });
}

/**
 * L_first_append: per connection, first `input_audio_buffer.append` received − first
 * `session.updated` sent. Negative when the client sent audio before the ack (SESSION-ACK).
 */
export function lFirstAppend(trace: Trace): number[] {
  const updated = wireEvents(trace, 'out', 'session.updated');
  const appends = wireEvents(trace, 'in', 'input_audio_buffer.append');
  return trace.connections.flatMap((c) => {
    const u = updated.find((e) => e.connection === c.number);
    const a = appends.find((e) => e.connection === c.number);
    return u && a ? [a.at - u.at] : [];
  });
}

/**
 * L_play [app]: per response, its first sample played (start of its first `audio.played`
 * chunk: arrival − duration) − its first audio delta sent.
 */
export function lPlay(trace: Trace): number[] {
  const chunks = playedChunks(trace);
  return [...streamedResponses(trace).values()].flatMap((r) => {
    const first = r.deltas[0];
    const played = chunks.filter((c) => c.responseId === r.id);
    if (!first || played.length === 0) return [];
    return [Math.min(...played.map((c) => c.start)) - first.at];
  });
}

/**
 * L_stop [app]: per response interrupted by a barge-in (see {@link bargeIns}), its last sample
 * played − `speech_started` sent, floored at 0 (a client that had stopped by then scores 0).
 */
export function lStop(trace: Trace): number[] {
  return bargeIns(trace).flatMap((b) => b.responses.map((r) => r.lStop));
}

/**
 * L_cancel: per app `interrupt` made while a response was in flight, the client's first
 * `response.cancel` received − the interrupt. No sample when no cancel came.
 */
export function lCancel(trace: Trace): number[] {
  return interruptCancels(trace).flatMap((i) => (i.lCancel === undefined ? [] : [i.lCancel]));
}

/**
 * L_tool_out: per tool call answered, `function_call_output` received − `…arguments.done` sent −
 * tool run time. The run time is the runner's `tool.result` − the adapter's `tool.invoke` when
 * the harness ran the tool; otherwise 0 (unknown tools; wire-only clients' own tools).
 */
export function lToolOut(trace: Trace): number[] {
  return toolRoundTrips(trace).flatMap((t) => (t.lToolOut === undefined ? [] : [t.lToolOut]));
}

/**
 * D_1013: per busy close (1013, or a server close within 1 s of a `server_error`), the next
 * connection opened − the close.
 */
export function d1013(trace: Trace): number[] {
  return busyCloses(trace).flatMap((b) => (b.delay === undefined ? [] : [b.delay]));
}

/**
 * Stale leak [app]: per cancelled response that had audio played, ms of it played after its
 * cancelled `response.done` (the parts of `audio.played` chunks after that instant, including
 * the chunk that was playing at the cancel).
 */
export function staleLeak(trace: Trace): number[] {
  return cancellations(trace)
    .filter((c) => c.response.deltas.length > 0 || c.chunksAfter.length > 0)
    .map((c) => c.leakMs);
}

/** Every metric, in documentation order. */
export const METRICS: readonly MetricDefinition[] = [
  {
    name: 'L_ready',
    title: 'Session ready',
    definition: '`session.updated` sent − socket open, per connection.',
    app: false,
    compute: lReady,
  },
  {
    name: 'L_first_append',
    title: 'First audio after the ack',
    definition:
      'first `input_audio_buffer.append` received − `session.updated` sent, per connection; negative means audio before the ack.',
    app: false,
    compute: lFirstAppend,
  },
  {
    name: 'L_play',
    title: 'Time to first sound',
    definition:
      'first sample of a response played (its first `audio.played` arrival − chunk duration) − its first delta sent.',
    app: true,
    compute: lPlay,
  },
  {
    name: 'L_stop',
    title: 'Barge-in stop latency',
    definition:
      'last sample of the interrupted reply played − `speech_started` sent, floored at 0, per interrupted response.',
    app: true,
    budget: 'L_stop.p95',
    compute: lStop,
  },
  {
    name: 'L_cancel',
    title: 'Interrupt to cancel',
    definition: '`response.cancel` received − app `interrupt`, when a response was in flight.',
    app: false,
    budget: 'L_cancel.p95',
    compute: lCancel,
  },
  {
    name: 'L_tool_out',
    title: 'Tool answer overhead',
    definition:
      '`function_call_output` received − `…arguments.done` sent − tool run time (`tool.result` − `tool.invoke`).',
    app: false,
    budget: 'L_tool_out.p95',
    compute: lToolOut,
  },
  {
    name: 'D_1013',
    title: 'Busy reconnect delay',
    definition: 'reconnect attempt k opened − close k, per 1013 (or `server_error`) close.',
    app: false,
    compute: d1013,
  },
  {
    name: 'stale_leak',
    title: 'Stale leak',
    definition: 'ms of a cancelled reply played after its cancelled `response.done`.',
    app: true,
    compute: staleLeak,
  },
];

/** A metric by name. */
export function metricByName(name: string): MetricDefinition | undefined {
  return METRICS.find((m) => m.name === name);
}

/** Every metric's samples for one trace. */
export function computeMetrics(trace: Trace): Record<MetricName, number[]> {
  return Object.fromEntries(METRICS.map((m) => [m.name, m.compute(trace)])) as Record<
    MetricName,
    number[]
  >;
}
