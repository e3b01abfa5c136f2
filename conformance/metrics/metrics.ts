import type { BudgetKey } from './budgets.js';
import {
  bargeIns,
  busyCloses,
  cancellations,
  interruptCancels,
  toolRoundTrips,
} from './episodes.js';
import type { Trace } from '../trace/trace.js';
import { playedChunks, streamedResponses, wireEvents } from '../trace/trace-query.js';

/*
 * Latency metrics: each a pure function Trace → samples in ms, on the trace's one clock (the
 * mock's wire timestamps and the runner's arrival times of adapter observations are directly
 * comparable). Rules report them; reports summarise them with `summarise` (statistics.ts).
 */

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
 * L_stop [app]: per response interrupted by a barge-in (see {@link bargeIns}), the last sample
 * played of what of it was playing or queued at `speech_started` − `speech_started` sent,
 * floored at 0 (a client that had stopped by then scores 0). Late deltas of the reply that
 * arrived after the client's stop and were played again do not count (STALE-FENCE judges them).
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
 * tool run time − the runner's own measured stalls in between (`trace.stalls`). The run time is
 * the runner's `tool.result` − the adapter's `tool.invoke` when the harness ran the tool;
 * otherwise 0 (unknown tools; wire-only clients' own tools).
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
      "last sample played of what of the interrupted reply was playing or queued at `speech_started` − `speech_started` sent, floored at 0, per interrupted response (late deltas replayed after the stop are STALE-FENCE's).",
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
      "`function_call_output` received − `…arguments.done` sent − tool run time (`tool.result` − `tool.invoke`) − the runner's own stalls in between.",
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
