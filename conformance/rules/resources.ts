import { budget } from '../metrics/budgets.js';
import { slope } from '../metrics/statistics.js';
import type { Rule, RuleContext, Verdict } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { fmtMs } from '../trace/format.js';
import { observationsOf } from '../trace/trace-query.js';
import { fail, notObservable, pass, timeEvidence } from './verdict.js';

/** One memory sample of the client: megabytes (MiB) at a clock time. */
export interface MemorySample {
  at: number;
  mb: number;
}

const MIB = 1024 * 1024;

/**
 * The client's memory samples, from the adapter's `memory` observations: the live bytes of a
 * garbage-collected runtime (`heapUsed` + `external`) when it reports them, else `rss`.
 */
export function memorySamples(trace: Trace): MemorySample[] {
  return observationsOf(trace, 'memory').map((o) => {
    const d = o.data;
    const bytes = d.heapUsed !== undefined ? d.heapUsed + (d.external ?? 0) : d.rss;
    return { at: o.at, mb: bytes / MIB };
  });
}

/**
 * The lowest sample of each `windowMs` window: what a garbage-collected runtime holds after a
 * collection. A slope through these ignores the sawtooth of garbage between collections.
 */
function floors(samples: readonly MemorySample[], windowMs: number): MemorySample[] {
  const out: MemorySample[] = [];
  const t0 = samples[0]!.at;
  for (const s of samples) {
    const w = Math.floor((s.at - t0) / windowMs);
    const last = out[out.length - 1];
    if (last && Math.floor((last.at - t0) / windowMs) === w) {
      if (s.mb < last.mb) out[out.length - 1] = s;
    } else out.push(s);
  }
  return out;
}

/**
 * Judges memory samples: after `memory.warmupMs`, a least-squares slope through the lowest
 * sample of each `memory.windowMs`, over at least `memory.minSpanMs`. Growth fails when it is
 * both over `memory.slopeMaxMBPerHour` and more than `memory.noiseMB` over the span (short
 * spans make any wobble a steep slope).
 */
export function judgeMemory(samples: readonly MemorySample[], context: RuleContext): Verdict {
  const minSpan = budget(context, 'memory.minSpanMs');
  const warm = samples.length > 0 ? samples[0]!.at + budget(context, 'memory.warmupMs') : 0;
  const kept = samples.filter((s) => s.at >= warm);
  const span = kept.length > 0 ? kept[kept.length - 1]!.at - kept[0]!.at : 0;
  const points = kept.length > 0 ? floors(kept, budget(context, 'memory.windowMs')) : [];
  if (points.length < 3 || span < minSpan) {
    return notObservable(
      samples.length === 0
        ? 'The adapter reports no memory samples (the optional `memory` observation), so memory growth cannot be judged.'
        : `Memory samples after the warm-up span ${fmtMs(span)}; at least ${fmtMs(minSpan)} is needed to fit a slope.`,
    );
  }
  const perHour = slope(points.map((p) => [p.at, p.mb] as const)) * 3_600_000;
  const growth = (perHour * span) / 3_600_000;
  const limit = budget(context, 'memory.slopeMaxMBPerHour');
  const noise = budget(context, 'memory.noiseMB');
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const evidence = [
    timeEvidence(first.at, `${first.mb.toFixed(1)} MB`),
    timeEvidence(last.at, `${last.mb.toFixed(1)} MB`),
  ];
  const figures = `${perHour.toFixed(1)} MB/h, ${growth.toFixed(1)} MB over ${fmtMs(span)} after the warm-up`;
  return perHour >= limit && growth > noise
    ? fail(
        `Memory grew ${figures}: over the ${limit} MB/h budget and the ${noise} MB allowance.`,
        evidence,
      )
    : pass(`Memory stayed flat (${figures}).`, evidence);
}

/** BOUNDED-MEMORY: memory stays flat over a long session. */
export const boundedMemory: Rule = {
  id: 'BOUNDED-MEMORY',
  level: 'SHOULD',
  title: 'Memory stays flat',
  section: 'protocol §3 (audio streams continuously), §6 (barge-in)',
  description:
    "Over a long session with many barge-ins the client's memory stays flat. Adapters may " +
    'report `memory` observations (resident bytes, and for garbage-collected runtimes the ' +
    'live heap and buffer bytes; docs/adapter-protocol.md); the reference, third-party and ' +
    'Python adapters send one a second. After `memory.warmupMs` the rule fits a least-squares ' +
    'slope through the lowest sample of each `memory.windowMs` (what is left after a ' +
    'collection) and fails growth over `memory.slopeMaxMBPerHour` that also adds more than ' +
    '`memory.noiseMB` over the span. Traces shorter than the warm-up plus `memory.minSpanMs`, ' +
    'or whose samples cover less than that, do not exercise it (`long-session` does, with `--long`); a long trace without samples is ' +
    'not_observable, never a pass. The send queue on a slow link is not judged. Real-world ' +
    "failure: players that keep every cancelled reply's buffers grow by megabytes per " +
    'barge-in until the tab or the phone app is killed.',
  sources: ['kizuna-ai-lab/sokuji#407', 'getpaseo/paseo#4774'],
  needs: { app: true },
  check(trace, context) {
    if (trace.connections.length === 0) return undefined;
    const needed = budget(context, 'memory.warmupMs') + budget(context, 'memory.minSpanMs');
    if (trace.endedAt - trace.startedAt < needed) return undefined;
    // The adapter does report memory, but its samples cover less than the span a slope needs
    // (e.g. silent-server: the client's session ends well before the scenario's watch does):
    // the trace did not exercise the rule. A long trace with no samples stays not_observable.
    const samples = memorySamples(trace);
    if (samples.length > 0 && samples[samples.length - 1]!.at - samples[0]!.at < needed)
      return undefined;
    return judgeMemory(samples, context);
  },
};

/** The resources family. */
export const RESOURCE_RULES: readonly Rule[] = [boundedMemory];
