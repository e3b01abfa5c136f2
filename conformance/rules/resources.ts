import { budget } from '../metrics/metrics.js';
import type { Rule } from './rule.js';
import { fmtMs, num, observationsOf } from '../trace/trace-query.js';
import { fail, notObservable, observationEvidence, pass } from './verdict.js';

/**
 * The observation BOUNDED-MEMORY would read: `{"type": "memory", "bytes": <resident bytes>}`.
 * It is NOT part of swaram-adapter/1; it is a proposal, and the rule reads it only if an
 * adapter sends it (unknown observations are otherwise ignored by the runner).
 */
export const MEMORY_OBSERVATION = 'memory';

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
    const samples = observationsOf(trace, MEMORY_OBSERVATION).flatMap((o) => {
      const bytes = num(o.data.bytes);
      return bytes === undefined ? [] : [{ at: o.at, mb: bytes / 1e6, index: o.index }];
    });
    const minSpan = budget(context, 'memory.minSpanMs');
    const span = samples.length > 0 ? samples[samples.length - 1]!.at - samples[0]!.at : 0;
    if (samples.length < 3 || span < minSpan) {
      return notObservable(
        samples.length === 0
          ? 'The adapter reports no memory samples (swaram-adapter/1 has no memory observation), so memory growth cannot be judged.'
          : `Memory samples span ${fmtMs(span)}; at least ${fmtMs(minSpan)} is needed to fit a slope.`,
      );
    }
    const mx = samples.reduce((s, p) => s + p.at, 0) / samples.length;
    const my = samples.reduce((s, p) => s + p.mb, 0) / samples.length;
    let sxy = 0;
    let sxx = 0;
    for (const p of samples) {
      sxy += (p.at - mx) * (p.mb - my);
      sxx += (p.at - mx) ** 2;
    }
    const perHour = (sxy / sxx) * 3_600_000;
    const limit = budget(context, 'memory.slopeMaxMBPerHour');
    const evidence = [
      observationEvidence(trace, samples[0]!.index, `${samples[0]!.mb.toFixed(1)} MB`),
      observationEvidence(
        trace,
        samples[samples.length - 1]!.index,
        `${samples[samples.length - 1]!.mb.toFixed(1)} MB`,
      ),
    ];
    const figures = `${perHour.toFixed(1)} MB/h over ${fmtMs(span)}`;
    return perHour < limit
      ? pass(`Memory stayed flat (${figures}).`, evidence)
      : fail(`Memory grew ${figures}, over the ${limit} MB/h budget.`, evidence);
  },
};

/** The resources family. */
export const RESOURCE_RULES: readonly Rule[] = [boundedMemory];
