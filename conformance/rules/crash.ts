import type { Trace, TraceFrame } from '../trace/trace.js';
import { actionsOf } from '../trace/trace-query.js';
import { fmtMs } from '../trace/format.js';
import type { Verdict } from './rule.js';
import { fail, frameEvidence } from './verdict.js';

/**
 * How long before its process exited a server frame can be what killed the client, ms.
 * A crash in a socket listener is immediate; this leaves room for a loaded machine.
 */
export const CRASH_WINDOW_MS = 5000;

/** A client's process that died because of what the server sent, and the rule it breaks. */
export interface CrashBlame {
  /** The rule whose stimulus preceded the exit. */
  rule: 'PLAY-STRICT' | 'ERROR-SURVIVE' | 'UNKNOWN-TOLERANT';
  /** Index of that frame in `trace.frames`. */
  frame: number;
  verdict: Verdict;
}

/**
 * The rule a stimulus frame tests: a malformed audio delta is PLAY-STRICT's, an `error` event
 * ERROR-SURVIVE's, and a frame the client does not know (not JSON, unknown or OpenAI-only
 * type, extra fields) UNKNOWN-TOLERANT's. Ordinary valid frames are no stimulus.
 */
function stimulusRule(f: TraceFrame): CrashBlame['rule'] | undefined {
  if (f.dir !== 'out' || f.binary) return undefined;
  if (f.event === undefined) return 'UNKNOWN-TOLERANT';
  if (f.event.type === 'error') return 'ERROR-SURVIVE';
  if (f.valid) return undefined;
  if (f.violations.some((v) => v.code === 'invalid_audio')) return 'PLAY-STRICT';
  if (f.event.type === 'response.output_audio.delta') return 'PLAY-STRICT';
  return 'UNKNOWN-TOLERANT';
}

/**
 * Blames an adapter's process that exited on its own mid-scenario on the client, when a
 * stimulus frame (see {@link stimulusRule}) reached it within {@link CRASH_WINDOW_MS} before:
 * the nearest such frame names the rule, which fails. Undefined when the exit followed no
 * stimulus (an adapter bug stays a harness error), and for wire-only apps (they may quit).
 */
export function crashBlame(trace: Trace): CrashBlame | undefined {
  if (trace.drive !== 'adapter') return undefined;
  const exit = actionsOf(trace, 'target-exit')[0];
  if (!exit) return undefined;
  for (let i = trace.frames.length - 1; i >= 0; i--) {
    const f = trace.frames[i]!;
    if (f.at > exit.at) continue;
    if (exit.at - f.at > CRASH_WINDOW_MS) break;
    const rule = stimulusRule(f);
    if (!rule) continue;
    const what = f.event?.type ?? 'a text frame that is not JSON';
    const status = exit.data.signal ?? `code ${exit.data.code ?? '?'}`;
    const verdict = fail(
      `The client's process exited (${status}) ${fmtMs(exit.at - f.at)} after the mock sent ${what}${f.valid ? '' : ' (malformed)'}: it crashed on it.`,
      [frameEvidence(trace, i, `${what}; the process exited ${fmtMs(exit.at - f.at)} later`)],
    );
    return { rule, frame: i, verdict };
  }
  return undefined;
}

/** The harness error of an adapter's own exit (see Target's `exited` finding). */
export function isExitError(message: string): boolean {
  return message.startsWith('exited: ');
}
