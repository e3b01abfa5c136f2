import type { Evidence, Verdict } from './rule.js';
import type { Trace } from '../trace/trace.js';

/** Evidence items kept per verdict; the rest are summarised in one last item. */
export const MAX_EVIDENCE = 12;

function capped(evidence: readonly Evidence[]): Evidence[] {
  if (evidence.length <= MAX_EVIDENCE) return [...evidence];
  const kept = evidence.slice(0, MAX_EVIDENCE - 1);
  return [...kept, { note: `… and ${evidence.length - kept.length} more` }];
}

/** A `pass` verdict. */
export function pass(reason: string, evidence: readonly Evidence[] = []): Verdict {
  return { status: 'pass', reason, evidence: capped(evidence) };
}

/** A `fail` verdict. */
export function fail(reason: string, evidence: readonly Evidence[] = []): Verdict {
  return { status: 'fail', reason, evidence: capped(evidence) };
}

/** A `warn` verdict: kept, but not the documented way, or a SHOULD metric over budget. */
export function warn(reason: string, evidence: readonly Evidence[] = []): Verdict {
  return { status: 'warn', reason, evidence: capped(evidence) };
}

/** A `not_observable` verdict: the harness cannot see what the rule needs. */
export function notObservable(reason: string): Verdict {
  return { status: 'not_observable', reason, evidence: [] };
}

/** Evidence pointing at a frame of the trace. */
export function frameEvidence(trace: Trace, index: number, note: string): Evidence {
  const frame = trace.frames[index];
  return frame === undefined ? { frame: index, note } : { at: frame.at, frame: index, note };
}

/** Evidence pointing at an observation of the trace. */
export function observationEvidence(trace: Trace, index: number, note: string): Evidence {
  const o = trace.observations[index];
  return o === undefined ? { observation: index, note } : { at: o.at, observation: index, note };
}

/** Evidence that is only a time (a connection event, an action). */
export function timeEvidence(at: number | undefined, note: string): Evidence {
  return at === undefined ? { note } : { at, note };
}
