import { CLIENT_EVENT_TYPES, isOpenAiOnlyClientEventType } from '../../protocol/events.js';
import { budget } from '../metrics/budgets.js';
import type { Evidence, Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { errorOf, hasApp, obj, observationsOf, str, wireEvents } from '../trace/trace-query.js';
import { plural } from '../trace/format.js';
import { fail, frameEvidence, pass, warn } from './verdict.js';

/** Connection numbers that carry at least one client frame, in order. */
function clientConnections(trace: Trace): number[] {
  return [...new Set(trace.frames.filter((f) => f.dir === 'in').map((f) => f.connection))].sort(
    (a, b) => a - b,
  );
}

const clientTypes: ReadonlySet<string> = new Set(CLIENT_EVENT_TYPES);

/** SESSION-FIRST: the first client message on every connection is `session.update`. */
export const sessionFirst: Rule = {
  id: 'SESSION-FIRST',
  level: 'MUST',
  title: 'session.update is the first client message',
  section: 'protocol §4 (session.update), §6',
  description:
    'On every connection (reconnects included) the first frame the client sends is ' +
    '`session.update`; no `input_audio_buffer.append`, `conversation.item.create` or anything ' +
    'else comes before it. Judged per connection from the first client frame on it; a ' +
    'connection on which the client sent nothing is not judged. Real-world failure: clients ' +
    'that start streaming microphone audio as soon as the socket opens get their audio handled ' +
    'with default settings (wrong voice, no tools), and a reconnect that skips the update ' +
    'silently loses the configuration.',
  sources: ['pipecat-ai/pipecat#3480', 'livekit/agents#3274', 'OpenWhispr/openwhispr#1044'],
  needs: {},
  check(trace) {
    const connections = clientConnections(trace);
    if (connections.length === 0) return undefined;
    const evidence: Evidence[] = [];
    for (const c of connections) {
      const index = trace.frames.findIndex((f) => f.dir === 'in' && f.connection === c);
      const frame = trace.frames[index]!;
      const type = frame.event?.type;
      if (type !== 'session.update') {
        evidence.push(
          frameEvidence(
            trace,
            index,
            `connection ${c}: the first client message is ${type ?? 'not a JSON event'}`,
          ),
        );
      }
    }
    if (evidence.length === 0) {
      return pass(
        `session.update came first on ${plural(connections.length, 'connection')} the client used.`,
      );
    }
    return fail(
      `On ${plural(evidence.length, 'connection')} the client sent something before session.update.`,
      evidence,
    );
  },
};

/** SESSION-ACK: no audio before `session.updated`; rejected or missing acks reach the app. */
export const sessionAck: Rule = {
  id: 'SESSION-ACK',
  level: 'SHOULD',
  title: 'No audio before session.updated',
  section: 'protocol §4 (session.update), §5 (session.updated)',
  description:
    'The client waits for `session.updated` before its first `input_audio_buffer.append` on ' +
    'each connection; microphone audio captured meanwhile is buffered (bounded) or dropped, ' +
    'never sent early. Judged on the wire by frame order per connection. When the client is ' +
    'driven through an adapter, two more things are checked: a `session.update` rejected with ' +
    'an `error` (one echoing its `event_id`, or naming a `session` parameter, or ' +
    '`session_locked`) and a `session.update` left unanswered for `session.ackTimeoutMs` must ' +
    'each be followed by an `error` observation (the app is told). Real-world failure: audio ' +
    'sent before the settings apply is transcribed and answered with the wrong voice and ' +
    'instructions; a client that silently waits forever for an ack looks hung.',
  sources: [],
  needs: {},
  metrics: ['L_ready', 'L_first_append'],
  check(trace, context) {
    const timeout = budget(context, 'session.ackTimeoutMs');
    const updates = wireEvents(trace, 'in', 'session.update');
    const appends = wireEvents(trace, 'in', 'input_audio_buffer.append');
    if (updates.length === 0 && appends.length === 0) return undefined;
    const acks = wireEvents(trace, 'out', 'session.updated');
    const errors = wireEvents(trace, 'out', 'error');
    const appErrors = observationsOf(trace, 'error');
    const evidence: Evidence[] = [];
    const problems: string[] = [];

    for (const c of new Set([...updates, ...appends].map((e) => e.connection))) {
      const ack = acks.find((a) => a.connection === c);
      const early = appends.find((a) => a.connection === c && (!ack || a.index < ack.index));
      if (early) {
        problems.push('audio before session.updated');
        evidence.push(
          frameEvidence(
            trace,
            early.index,
            ack
              ? `connection ${c}: audio sent ${Math.round(ack.at - early.at)} ms before session.updated`
              : `connection ${c}: audio sent although session.updated never came`,
          ),
        );
      }
    }

    if (hasApp(trace)) {
      for (const u of updates) {
        const ack = acks.find((a) => a.connection === u.connection && a.index > u.index);
        const eventId = str(u.event.event_id);
        const rejection = errors.find((e) => {
          if (e.connection !== u.connection || e.index < u.index) return false;
          if (ack && e.index > ack.index) return false;
          const err = errorOf(e.event);
          return (
            (eventId !== undefined && err.eventId === eventId) ||
            err.param?.startsWith('session') === true ||
            err.code === 'session_locked'
          );
        });
        const closedAt = trace.connections.find((c) => c.number === u.connection)?.closedAt;
        const horizon = Math.min(closedAt ?? trace.endedAt, trace.endedAt);
        const missing =
          rejection === undefined &&
          (ack === undefined ? horizon - u.at >= timeout : ack.at - u.at >= timeout);
        if (!rejection && !missing) continue;
        const after = rejection ? rejection.at : u.at;
        if (appErrors.some((o) => o.at >= after)) continue;
        problems.push(rejection ? 'rejected update not surfaced' : 'missing ack not surfaced');
        evidence.push(
          rejection
            ? frameEvidence(
                trace,
                rejection.index,
                `session.update rejected (${errorOf(rejection.event).code ?? 'error'}) and the app was not told`,
              )
            : frameEvidence(
                trace,
                u.index,
                `no session.updated within ${timeout} ms of this session.update and the app was not told`,
              ),
        );
      }
    }

    if (evidence.length === 0) {
      return pass('No audio was sent before session.updated on any connection.');
    }
    return fail(`The client broke SESSION-ACK: ${[...new Set(problems)].join('; ')}.`, evidence);
  },
};

/** SESSION-LOCK: no `session.update` once the conversation has begun on that connection. */
export const sessionLock: Rule = {
  id: 'SESSION-LOCK',
  level: 'MUST',
  title: 'No session.update once the conversation began',
  section: 'protocol §4 (session.update: settings fixed once the conversation begins)',
  description:
    'swaram fixes the settings when the conversation begins, so a client sends no ' +
    '`session.update` on a connection after the conversation started there. "Began" is the ' +
    'first `input_audio_buffer.append` the client sent on the connection (the mock answers a ' +
    'later update with `session_locked`) or the first `response.created`, whichever comes ' +
    'first. Judged per connection; a new connection starts over. Real-world failure: clients ' +
    'that change the voice or tools mid-call believe the change applied while swaram keeps ' +
    'the old settings.',
  sources: [],
  needs: {},
  check(trace) {
    const starts = wireEvents(trace, undefined, ['input_audio_buffer.append', 'response.created']);
    const updates = wireEvents(trace, 'in', 'session.update');
    const began = new Map<number, number>();
    for (const s of starts) {
      const counts = s.type === 'input_audio_buffer.append' ? s.dir === 'in' : s.dir === 'out';
      if (counts && !began.has(s.connection)) began.set(s.connection, s.index);
    }
    if (began.size === 0) return undefined;
    const late = updates.filter((u) => {
      const b = began.get(u.connection);
      return b !== undefined && u.index > b;
    });
    if (late.length === 0) {
      return pass(
        `No session.update after the conversation began on ${plural(began.size, 'connection')}.`,
      );
    }
    return fail(
      `The client sent ${plural(late.length, 'session.update')} after the conversation had begun.`,
      late.map((u) => {
        const b = trace.frames[began.get(u.connection)!]!;
        return frameEvidence(
          trace,
          u.index,
          `connection ${u.connection}: session.update ${Math.round(u.at - b.at)} ms after ${b.event?.type}`,
        );
      }),
    );
  },
};

/** SUBSET-ONLY: only swaram's seven client events. */
export const subsetOnly: Rule = {
  id: 'SUBSET-ONLY',
  timingFree: true,
  level: 'MUST',
  title: "Only swaram's seven client events",
  section: 'protocol §4 (the 7 client events)',
  description:
    'The client sends only `session.update`, `input_audio_buffer.append`, ' +
    '`input_audio_buffer.commit`, `input_audio_buffer.clear`, `response.create`, ' +
    '`response.cancel` and `conversation.item.create`. Every other `type` on a client frame is ' +
    'a failure; OpenAI-only events (`conversation.item.truncate`, `conversation.item.retrieve`, ' +
    '`conversation.item.delete`, `output_audio_buffer.clear`, `transcription_session.update`, ' +
    '…) are named as such in the evidence. Frames without a string `type` are left to ' +
    'WIRE-SCHEMA. Real-world failure: `@openai/agents-realtime` pointed at a server speaking ' +
    "swaram's subset sends `conversation.item.retrieve` and `conversation.item.truncate`; " +
    'swaram answers each with an `error`, and the feature built on them (truncating the ' +
    "assistant's text on barge-in, fetching an item) silently does nothing.",
  sources: ['@openai/agents-realtime 0.20 (observed while preparing the catalogue)'],
  needs: {},
  check(trace) {
    const events = wireEvents(trace, 'in');
    if (events.length === 0) return undefined;
    const bad = events.filter((e) => !clientTypes.has(e.type));
    if (bad.length === 0) {
      return pass(`All ${plural(events.length, 'client event')} are in swaram's subset.`);
    }
    const names = [...new Set(bad.map((e) => e.type))];
    return fail(
      `The client sent event types outside swaram's subset: ${names.join(', ')}.`,
      bad.map((e) =>
        frameEvidence(
          trace,
          e.index,
          isOpenAiOnlyClientEventType(e.type)
            ? `${e.type}: an OpenAI Realtime event swaram does not support`
            : `${e.type}: not a swaram client event`,
        ),
      ),
    );
  },
};

/** SESSION-SHAPE: `session.update` uses swaram's flat fields. */
export const sessionShape: Rule = {
  id: 'SESSION-SHAPE',
  timingFree: true,
  level: 'SHOULD',
  title: "session.update uses swaram's flat shape",
  section: 'protocol §4 (session.update fields)',
  description:
    'swaram documents a flat `session` (`instructions`, `voice`, `tools`, `tool_choice`, ' +
    '`turn_detection`). The OpenAI GA nested shape (`type: "realtime"`, `audio.output.voice`, ' +
    '…) is accepted by the mock as an extension and mapped, but swaram does not document it, ' +
    'so it is a warning, not a failure: a `session` with a `type` or an `audio` object warns. ' +
    "Real-world failure: OpenAI's SDKs send the nested shape; if swaram stops mapping it, the " +
    'voice and turn detection settings are lost without an error.',
  sources: ["OpenAI's SDKs send the GA nested shape"],
  needs: {},
  check(trace) {
    const updates = wireEvents(trace, 'in', 'session.update').filter(
      (u) => obj(u.event.session) !== undefined,
    );
    if (updates.length === 0) return undefined;
    const nested = updates.filter((u) => {
      const s = obj(u.event.session)!;
      return s.type !== undefined || obj(s.audio) !== undefined;
    });
    if (nested.length === 0) {
      return pass(`${plural(updates.length, 'session.update')} used the flat shape.`);
    }
    return warn(
      `${plural(nested.length, 'session.update')} used the OpenAI GA nested shape, which swaram does not document.`,
      nested.map((u) => {
        const s = obj(u.event.session)!;
        const fields = Object.keys(s).filter(
          (k) => !['instructions', 'voice', 'tools', 'tool_choice', 'turn_detection'].includes(k),
        );
        return frameEvidence(trace, u.index, `nested fields: ${fields.join(', ')}`);
      }),
    );
  },
};

/** The session family, in catalogue order. */
export const SESSION_RULES: readonly Rule[] = [
  sessionFirst,
  sessionAck,
  sessionLock,
  subsetOnly,
  sessionShape,
];
