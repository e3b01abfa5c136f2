import { budget } from '../metrics/budgets.js';
import { slope } from '../metrics/statistics.js';
import type { Rule, RuleContext, Verdict } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { fmtMs } from '../trace/format.js';
import { fail, notObservable, pass, timeEvidence } from './verdict.js';

/** One memory sample of the client: resident megabytes at a clock time. */
export interface MemorySample {
  at: number;
  mb: number;
}

/**
 * The client's memory samples. BOUNDED-MEMORY would read the proposed observation
 * `{"type": "memory", "bytes": <resident bytes>}`, which is NOT part of swaram-adapter/1: the
 * runner drops unknown observations, so a trace holds none and this is empty until the adapter
 * protocol gains it (then read it here).
 */
export function memorySamples(_trace: Trace): MemorySample[] {
  return [];
}

/** Judges memory samples: a least-squares slope over at least `memory.minSpanMs`. */
export function judgeMemory(samples: readonly MemorySample[], context: RuleContext): Verdict {
  const minSpan = budget(context, 'memory.minSpanMs');
  const span = samples.length > 0 ? samples[samples.length - 1]!.at - samples[0]!.at : 0;
  if (samples.length < 3 || span < minSpan) {
    return notObservable(
      samples.length === 0
        ? 'The adapter reports no memory samples (swaram-adapter/1 has no memory observation), so memory growth cannot be judged.'
        : `Memory samples span ${fmtMs(span)}; at least ${fmtMs(minSpan)} is needed to fit a slope.`,
    );
  }
  const perHour = slope(samples.map((p) => [p.at, p.mb] as const)) * 3_600_000;
  const limit = budget(context, 'memory.slopeMaxMBPerHour');
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const evidence = [
    timeEvidence(first.at, `${first.mb.toFixed(1)} MB`),
    timeEvidence(last.at, `${last.mb.toFixed(1)} MB`),
  ];
  const figures = `${perHour.toFixed(1)} MB/h over ${fmtMs(span)}`;
  return perHour < limit
    ? pass(`Memory stayed flat (${figures}).`, evidence)
    : fail(`Memory grew ${figures}, over the ${limit} MB/h budget.`, evidence);
}

/** BOUNDED-MEMORY: memory stays flat over a long session. Not observable today. */
export const boundedMemory: Rule = {
  id: 'BOUNDED-MEMORY',
  level: 'SHOULD',
  title: 'Memory stays flat',
  section: 'protocol §3 (audio streams continuously), §6 (barge-in)',
  description:
    "Over a long session with many barge-ins the client's memory stays flat (growth under " +
    '`memory.slopeMaxMBPerHour`), and its send queue is bounded on a slow link. The harness ' +
    'cannot see either today: swaram-adapter/1 has no memory report and the trace has no ' +
    'send-queue data, so the rule reports not_observable, never a pass. If an adapter sends ' +
    'the proposed optional observation `{"type": "memory", "bytes": N}` (resident bytes, ' +
    'sampled regularly; not yet in the adapter protocol), the rule fits a least-squares slope ' +
    'to samples spanning at least `memory.minSpanMs` and judges it. Real-world failure: ' +
    "players that keep every cancelled reply's buffers grow by megabytes per barge-in until " +
    'the tab or the phone app is killed.',
  sources: ['kizuna-ai-lab/sokuji#407', 'getpaseo/paseo#4774'],
  needs: { app: true },
  check(trace, context) {
    if (trace.connections.length === 0) return undefined;
    return judgeMemory(memorySamples(trace), context);
  },
};

/** The resources family. */
export const RESOURCE_RULES: readonly Rule[] = [boundedMemory];
