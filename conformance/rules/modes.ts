import { budget } from '../metrics/budgets.js';
import type { Evidence, Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import {
  actionsOf,
  clientClosedAfter,
  bytesToMs,
  validAudioBytes,
  wireEvents,
} from '../trace/trace-query.js';
import { fmtMs, plural } from '../trace/format.js';
import { fail, frameEvidence, pass } from './verdict.js';

/** Whether the trace ran swaram's Premium model. */
export function isPremium(trace: Trace): boolean {
  return trace.model === 'mal-realtime-premium';
}

const NUDGES = [
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'response.create',
] as const;

/** MODE-PREMIUM: in Premium, nudges get no reply; the client does not wait for one. */
export const modePremium: Rule = {
  id: 'MODE-PREMIUM',
  level: 'MUST',
  title: 'Premium: never wait on a nudge reply',
  section: 'protocol §4 (Premium ignores commit, clear, response.create)',
  description:
    'In Premium (`mal-realtime-premium`) swaram ignores `input_audio_buffer.commit`, ' +
    '`input_audio_buffer.clear` and `response.create`: no reply, no error. A client may send ' +
    'them but must not wait on a reply. Waiting shows on the wire: (1) the client stops ' +
    'streaming microphone audio after a nudge: the runner fed the microphone after it, the ' +
    'client had been streaming, and no append followed within `premium.stallMs` of the next ' +
    'microphone chunk; (2) it gives up: it closes the connection after the nudge without the ' +
    'app asking; (3) it retries: three or more of the same nudge within 2 s with no audio in ' +
    'between. Exercised only when a Premium client sent a nudge. Real-world failure: clients ' +
    'that block on `input_audio_buffer.committed` (which swaram never sends) hang after the ' +
    'first turn in Premium.',
  sources: [],
  needs: { features: ['premium'] },
  check(trace, context) {
    if (!isPremium(trace)) return undefined;
    const stallMs = budget(context, 'premium.stallMs');
    const closeWindow = budget(context, 'errors.closeWindowMs');
    const nudges = wireEvents(trace, 'in', [...NUDGES]);
    if (nudges.length === 0) return undefined;
    const appends = wireEvents(trace, 'in', 'input_audio_buffer.append');
    const mic = actionsOf(trace, 'mic.audio');
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    for (const n of nudges) {
      const conn = trace.connections.find((c) => c.number === n.connection);
      const horizon = Math.min(conn?.closedAt ?? trace.endedAt, trace.endedAt);
      const streaming = appends.some((a) => a.connection === n.connection && a.index < n.index);
      const nextMic = mic.find((m) => m.at > n.at);
      if (streaming && nextMic && nextMic.at + stallMs <= horizon) {
        const resumed = appends.some(
          (a) => a.connection === n.connection && a.index > n.index && a.at <= nextMic.at + stallMs,
        );
        if (!resumed) {
          problems.add('stopped streaming after a nudge');
          evidence.push(
            frameEvidence(
              trace,
              n.index,
              `no audio sent within ${fmtMs(stallMs)} of the microphone after ${n.type}`,
            ),
          );
        }
      }
      const closedAt = clientClosedAfter(trace, n.connection, n.at, closeWindow);
      if (closedAt !== undefined) {
        problems.add('closed the connection after a nudge');
        evidence.push(
          frameEvidence(
            trace,
            n.index,
            `the client closed connection ${n.connection} ${fmtMs(closedAt - n.at)} after ${n.type}`,
          ),
        );
      }
    }
    for (const type of NUDGES) {
      const same = nudges.filter((n) => n.type === type);
      for (let i = 2; i < same.length; i++) {
        const a = same[i - 2]!;
        const c = same[i]!;
        const audioBetween = appends.some(
          (x) => x.connection === a.connection && x.index > a.index && x.index < c.index,
        );
        if (a.connection === c.connection && c.at - a.at <= 2000 && !audioBetween) {
          problems.add(`retried ${type}`);
          evidence.push(
            frameEvidence(
              trace,
              c.index,
              `third ${type} within ${fmtMs(c.at - a.at)} with no audio between`,
            ),
          );
          break;
        }
      }
    }
    if (evidence.length === 0) {
      return pass(
        `The client went on after ${plural(nudges.length, 'unanswered nudge')} in Premium.`,
      );
    }
    return fail(`The client waited on Premium nudges: ${[...problems].join(', ')}.`, evidence);
  },
};

/** PUSH-TO-TALK: commit only after ≥ 100 ms of audio since the last commit, clear or turn end. */
export const pushToTalk: Rule = {
  id: 'PUSH-TO-TALK',
  level: 'SHOULD',
  title: 'Commit only with 100 ms of audio',
  section: 'protocol §4 (input_audio_buffer.commit, Simple mode)',
  description:
    'In Simple mode the client sends `input_audio_buffer.commit` only when at least ' +
    '`ptt.minCommitMs` (100 ms) of valid audio was appended on that connection since the last ' +
    "commit, the last clear, or the last `speech_stopped` (swaram's VAD ending the turn " +
    'empties the buffer too); otherwise swaram answers `input_audio_buffer_commit_empty`. ' +
    'Real-world failure: push-to-talk buttons released quickly, or a commit sent after the ' +
    'server VAD already took the turn, produce errors and a lost turn.',
  sources: ['openai/openai-agents-js#748'],
  needs: { features: ['push-to-talk'] },
  check(trace, context) {
    if (isPremium(trace)) return undefined;
    const minMs = budget(context, 'ptt.minCommitMs');
    const commits = wireEvents(trace, 'in', 'input_audio_buffer.commit');
    if (commits.length === 0) return undefined;
    const resets = wireEvents(trace, undefined, [
      'input_audio_buffer.commit',
      'input_audio_buffer.clear',
      'input_audio_buffer.speech_stopped',
    ]).filter((e) =>
      // speech_stopped is the server's; commit and clear are the client's.
      e.type === 'input_audio_buffer.speech_stopped' ? e.dir === 'out' : e.dir === 'in',
    );
    const appends = wireEvents(trace, 'in', 'input_audio_buffer.append');
    const evidence: Evidence[] = [];
    for (const c of commits) {
      const since =
        resets.filter((r) => r.connection === c.connection && r.index < c.index).at(-1)?.index ??
        -1;
      const ms = bytesToMs(
        appends
          .filter((a) => a.connection === c.connection && a.index > since && a.index < c.index)
          .reduce((n, a) => n + (validAudioBytes(a.event.audio) ?? 0), 0),
      );
      if (ms < minMs) {
        evidence.push(frameEvidence(trace, c.index, `commit after ${fmtMs(ms)} of audio`));
      }
    }
    if (evidence.length === 0) {
      return pass(
        `${plural(commits.length, 'commit')} each followed at least ${minMs} ms of audio.`,
      );
    }
    return fail(
      `${plural(evidence.length, 'commit')} came with under ${minMs} ms of audio.`,
      evidence,
    );
  },
};

/** The modes family, in catalogue order. */
export const MODE_RULES: readonly Rule[] = [modePremium, pushToTalk];
