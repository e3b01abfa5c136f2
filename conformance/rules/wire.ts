import type { Evidence, Rule } from './rule.js';
import { plural } from '../trace/format.js';
import { fail, frameEvidence, pass } from './verdict.js';

/** WIRE-SCHEMA: every client frame validates against the strict client schemas. */
export const wireSchema: Rule = {
  id: 'WIRE-SCHEMA',
  timingFree: true,
  level: 'MUST',
  title: 'Every client frame is a valid swaram event',
  section: 'protocol §4 (client events), §3 (audio)',
  description:
    'Every frame the client sends is a JSON text frame that validates against the strict schema ' +
    'of its event: the right `type`, every required field, the right field types, no fields ' +
    'swaram does not define, and audio that is canonical base64 of PCM16. The violations are ' +
    'the ones the codec records on each frame of the trace (strict schemas); each becomes ' +
    'evidence with the frame, its time and the JSON path. Binary frames are violations too ' +
    '(swaram takes JSON text only). Real-world failure: fields copied from the OpenAI API that ' +
    'swaram does not define, or numbers where strings are expected, get an `error` from swaram ' +
    'and the client never learns why its settings or tool results were ignored. Overlaps on ' +
    'purpose with SUBSET-ONLY and APPEND-FORMAT, which explain those two cases better.',
  sources: [],
  needs: {},
  check(trace) {
    const frames = trace.frames
      .map((frame, index) => ({ frame, index }))
      .filter(({ frame }) => frame.dir === 'in');
    if (frames.length === 0) return undefined;
    const evidence: Evidence[] = [];
    let badFrames = 0;
    for (const { frame, index } of frames) {
      const violations =
        frame.violations.length > 0
          ? frame.violations
          : frame.binary
            ? [
                {
                  code: 'invalid_json',
                  path: '',
                  message: 'a binary frame; swaram takes JSON text frames only',
                },
              ]
            : [];
      if (violations.length === 0) continue;
      badFrames += 1;
      for (const v of violations) {
        const type = frame.event?.type;
        evidence.push(
          frameEvidence(
            trace,
            index,
            `${type ?? 'frame'} ${v.path === '' ? '(whole message)' : v.path}: ${v.message}`,
          ),
        );
      }
    }
    if (badFrames === 0) {
      return pass(
        `All ${plural(frames.length, 'client frame')} validate against the strict schemas.`,
      );
    }
    return fail(
      `${plural(badFrames, 'client frame')} of ${frames.length} break the strict client schemas.`,
      evidence,
    );
  },
};

/** The wire family. */
export const WIRE_RULES: readonly Rule[] = [wireSchema];
