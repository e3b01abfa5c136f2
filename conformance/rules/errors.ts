import { budget } from '../metrics/budgets.js';
import type { Evidence, Rule, RuleContext } from './rule.js';
import type { Trace, TraceFrame } from '../trace/trace.js';
import {
  actionsOf,
  bytesToMs,
  clientClosedAfter,
  errorOf,
  hasApp,
  hasFeature,
  obj,
  observationsOf,
  playedChunks,
  responseStatusOf,
  str,
  streamedResponses,
  validAudioBytes,
  wireEvents,
} from '../trace/trace-query.js';
import { fmtMs, plural } from '../trace/format.js';
import { fail, frameEvidence, observationEvidence, pass } from './verdict.js';

/** ERROR-SURVIVE: an `error` event never ends the session by itself; it reaches the app. */
export const errorSurvive: Rule = {
  id: 'ERROR-SURVIVE',
  level: 'MUST',
  title: 'An error event does not end the session',
  section: 'protocol §2 (bad messages keep the connection open), §5 (error)',
  description:
    'An `error` event that the server does not follow with a close (within ' +
    '`errors.closeGraceMs`; those belong to the CLOSE-* rules) leaves the session running: ' +
    'the client does not close the connection (unless the app ended the session) and reports ' +
    'no fatal error. A client close is blamed on the NEAREST preceding cause on its connection ' +
    '(an error, a malformed audio delta, an unknown frame): a close right after a malformed ' +
    'delta is not blamed on an error long before it; another cause within ' +
    '`errors.ambiguousMs` before the nearest makes the reason say the blame is ambiguous. Errors arriving after the app ended the session (answers to frames still ' +
    'in flight) are not judged. When driven through an adapter, each such error also reaches ' +
    'the app: an ' +
    '`error` observation after it with the same `code`, or containing its `message` (errors ' +
    'within `app.reportWaitMs` of the end of the trace are not judged for this). Real-world ' +
    'failure: SDKs that throw on any `error` event drop the call on a harmless validation ' +
    'error, or swallow the code so the app cannot tell what went wrong.',
  sources: ['openai/openai-realtime-api-beta#12', 'openai/openai-realtime-api-beta#13'],
  needs: {},
  check(trace, context) {
    const grace = budget(context, 'errors.closeGraceMs');
    const closeWindow = budget(context, 'errors.closeWindowMs');
    const reportWait = budget(context, 'app.reportWaitMs');
    const ended = trace.actions.filter((a) => a.kind === 'end').map((a) => a.at);
    const errors = wireEvents(trace, 'out', 'error').filter((e) => {
      const c = trace.connections.find((x) => x.number === e.connection);
      if (c?.closedBy === 'server' && c.closedAt !== undefined && c.closedAt - e.at <= grace) {
        return false;
      }
      // After the app ended the session, errors (answers to frames in flight) are not its concern.
      return !ended.some((at) => at <= e.at && at >= (c?.openedAt ?? -Infinity));
    });
    if (errors.length === 0) return undefined;
    const appErrors = observationsOf(trace, 'error');
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    for (const e of errors) {
      const { code, message } = errorOf(e.event);
      const closedAt = clientClosedAfter(trace, e.connection, e.at, closeWindow);
      const blame =
        closedAt === undefined ? undefined : blameClose(trace, e.connection, closedAt, context);
      if (closedAt !== undefined && blame?.nearest.index === e.index) {
        problems.add('closed the connection');
        evidence.push(
          frameEvidence(
            trace,
            e.index,
            `${code ?? 'error'}; the client closed the connection ${fmtMs(closedAt - e.at)} later` +
              ambiguity(blame),
          ),
        );
      }
      const surfaced = appErrors.filter(
        (o) =>
          o.at >= e.at &&
          ((code !== undefined && o.data.code === code) ||
            (message !== undefined && message !== '' && (o.data.message ?? '').includes(message))),
      );
      const fatal = surfaced.find((o) => o.data.fatal === true);
      if (fatal) {
        problems.add('treated as fatal');
        evidence.push(
          observationEvidence(
            trace,
            fatal.index,
            `the client gave up the session on ${code ?? 'an error'}`,
          ),
        );
      }
      if (hasApp(trace) && surfaced.length === 0 && trace.endedAt - e.at >= reportWait) {
        problems.add('not surfaced to the app');
        evidence.push(frameEvidence(trace, e.index, `${code ?? 'error'} never reached the app`));
      }
    }
    if (evidence.length === 0) {
      const how = hasApp(trace)
        ? 'survived and reached the app'
        : 'survived (wire only: surfacing not observable)';
      return pass(`${plural(errors.length, 'error event')} ${how}.`);
    }
    return fail(`Error events were mishandled: ${[...problems].join(', ')}.`, evidence);
  },
};

/** A server frame that may have made a client close its connection. */
export interface CloseCause {
  /** Frame index. */
  index: number;
  at: number;
  /** What it was, for reasons: `error invalid_event`, `a malformed audio delta`, … */
  what: string;
}

/**
 * The server frames on a connection that may make a client close it: `error` events, audio
 * deltas whose audio is not valid PCM16 base64, and unusual frames (unknown types or fields,
 * text that is not JSON).
 */
export function closeCauses(trace: Trace, connection: number): CloseCause[] {
  const causes: CloseCause[] = [];
  trace.frames.forEach((f, index) => {
    if (f.connection !== connection || f.dir !== 'out' || f.binary) return;
    const type = f.event?.type;
    if (type === 'error') {
      causes.push({ index, at: f.at, what: `error ${errorOf(f.event!).code ?? '?'}` });
    } else if (
      type === 'response.output_audio.delta' &&
      validAudioBytes(f.event!.delta) === undefined
    ) {
      causes.push({ index, at: f.at, what: 'a malformed audio delta' });
    } else if (isUnusual(f)) {
      causes.push({ index, at: f.at, what: type ?? 'a non-JSON frame' });
    }
  });
  return causes;
}

/** The cause a client close is attributed to: the nearest preceding one, and a close rival. */
export interface CloseBlame {
  nearest: CloseCause;
  /** Another cause within `errors.ambiguousMs` before the nearest one: the blame is unsure. */
  rival: CloseCause | undefined;
}

/**
 * Attributes a client close at `closedAt` on `connection` to the NEAREST preceding
 * {@link closeCauses cause} (undefined when none precedes it), noting a rival cause that came
 * within `errors.ambiguousMs` before it.
 */
export function blameClose(
  trace: Trace,
  connection: number,
  closedAt: number,
  context: RuleContext,
): CloseBlame | undefined {
  const before = closeCauses(trace, connection).filter((c) => c.at <= closedAt);
  const nearest = before[before.length - 1];
  if (nearest === undefined) return undefined;
  const near = budget(context, 'errors.ambiguousMs');
  const rival = before
    .slice(0, -1)
    .reverse()
    .find((c) => nearest.at - c.at <= near && c.what !== nearest.what);
  return { nearest, rival };
}

/** The reason's note when a close's blame is unsure. */
export function ambiguity(blame: CloseBlame | undefined): string {
  if (blame?.rival === undefined) return '';
  return ` (ambiguous: ${blame.rival.what} came ${fmtMs(blame.nearest.at - blame.rival.at)} before it)`;
}

/** Whether a mock → client frame is outside what swaram documents (unknown type or field, junk). */
function isUnusual(frame: TraceFrame): boolean {
  if (frame.dir !== 'out' || frame.binary) return false;
  if (frame.event === undefined) return true;
  return frame.violations.some(
    (v) =>
      v.code === 'unknown_event' ||
      v.code === 'unsupported_event' ||
      v.code === 'invalid_json' ||
      (v.code === 'invalid_event' && v.keyword === 'additionalProperties'),
  );
}

/** UNKNOWN-TOLERANT: unknown event types and fields are ignored without damage. */
export const unknownTolerant: Rule = {
  id: 'UNKNOWN-TOLERANT',
  level: 'MUST',
  title: 'Unknown events and fields are ignored',
  section: 'protocol §5 (a conforming client ignores what it does not know)',
  description:
    'Server frames the client does not know (unknown event types, OpenAI events swaram never ' +
    'sends, extra fields, text that is not JSON) are ignored without crash or state damage. ' +
    'After the first such frame on a connection, and again after the first text frame that ' +
    'is not JSON: the client does not close the connection ' +
    '(unless the app ended the session; a close is blamed on its nearest preceding cause, as ' +
    'in ERROR-SURVIVE, so it counts here only when that is an unknown frame) and reports no ' +
    'fatal error (one that a later `error` event of the server precedes answers that error, ' +
    'not the unknown frame); with feature `playback`, ' +
    'if 100 ms or more of valid reply audio followed on that connection, some of it is played; ' +
    'when the runner kept feeding the microphone a second past the frame and the client had ' +
    'been streaming, it keeps streaming. Audio deltas with bad audio are PLAY-STRICT. ' +
    'Real-world failure: strict parsers throw on a new field the server starts sending and ' +
    'every client in the field breaks the same day.',
  sources: ['richiejp/VoxInput#22', 'mastra-ai/mastra#16762'],
  needs: {},
  check(trace, context) {
    const reportWait = budget(context, 'app.reportWaitMs');
    // The first unusual frame of each connection, and the first that is not JSON at all.
    const first = new Map<string, number>();
    trace.frames.forEach((f, i) => {
      if (!isUnusual(f)) return;
      const key = `${f.connection}:${f.event === undefined ? 'text' : 'json'}`;
      if (!first.has(key)) first.set(key, i);
    });
    if (first.size === 0) return undefined;
    const fatal = observationsOf(trace, 'error').filter((o) => o.data.fatal === true);
    const serverErrors = wireEvents(trace, 'out', 'error');
    const chunks = playedChunks(trace);
    const deltas = wireEvents(trace, 'out', 'response.output_audio.delta');
    const appends = wireEvents(trace, 'in', 'input_audio_buffer.append');
    const mic = actionsOf(trace, 'mic.audio');
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    for (const index of first.values()) {
      const connection = trace.frames[index]!.connection;
      const U = trace.frames[index]!.at;
      const what = trace.frames[index]!.event?.type ?? 'a non-JSON frame';
      const closedAt = clientClosedAfter(
        trace,
        connection,
        U,
        budget(context, 'errors.closeWindowMs'),
      );
      const blame =
        closedAt === undefined ? undefined : blameClose(trace, connection, closedAt, context);
      const unusual = blame !== undefined && isUnusual(trace.frames[blame.nearest.index]!);
      if (closedAt !== undefined && unusual) {
        problems.add('closed the connection');
        evidence.push(
          frameEvidence(
            trace,
            index,
            `after ${what} the client closed the connection` + ambiguity(blame),
          ),
        );
      }
      // A fatal error that the server's own `error` event (sent after the frame, on its
      // connection) precedes is the client answering that error (or the close it announces),
      // not the unknown frame: ERROR-SURVIVE and the close rules judge it.
      const f = fatal.find(
        (o) =>
          o.at >= U &&
          !serverErrors.some((e) => e.connection === connection && e.at >= U && e.at <= o.at),
      );
      if (f) {
        problems.add('fatal error');
        evidence.push(observationEvidence(trace, f.index, `the client gave up after ${what}`));
      }
      if (hasApp(trace) && hasFeature(trace, 'playback')) {
        const later = deltas.filter((d) => d.connection === connection && d.index > index);
        const laterMs = bytesToMs(
          later.reduce((n, d) => n + (validAudioBytes(d.event.delta) ?? 0), 0),
        );
        if (
          laterMs >= 100 &&
          trace.endedAt - later[0]!.at >= reportWait &&
          !chunks.some((c) => c.end > U)
        ) {
          problems.add('playback stopped working');
          evidence.push(
            frameEvidence(
              trace,
              index,
              `after ${what}, ${fmtMs(laterMs)} of reply audio came and none was played`,
            ),
          );
        }
      }
      const streaming = appends.some((a) => a.connection === connection && a.index < index);
      const fedLater = mic.some((a) => a.at >= U + 1000);
      if (
        streaming &&
        fedLater &&
        closedAt === undefined &&
        !appends.some((a) => a.connection === connection && a.index > index)
      ) {
        problems.add('stopped streaming');
        evidence.push(
          frameEvidence(trace, index, `after ${what} the client stopped sending microphone audio`),
        );
      }
    }
    if (evidence.length === 0) {
      const connections = new Set([...first.values()].map((i) => trace.frames[i]!.connection));
      const text = [...first.keys()].some((k) => k.endsWith(':text')) ? ' (non-JSON text too)' : '';
      return pass(
        `The client ignored unknown server frames${text} on ${plural(connections.size, 'connection')}.`,
      );
    }
    return fail(`Unknown server frames damaged the client: ${[...problems].join(', ')}.`, evidence);
  },
};

/** DONE-STATUS: each response's final status reaches the app once. */
export const doneStatus: Rule = {
  id: 'DONE-STATUS',
  level: 'SHOULD',
  title: 'Reply outcomes told apart, once each',
  section: 'protocol §5 (response.done status)',
  description:
    '`completed`, `cancelled`, `incomplete` and `failed` are told apart and each response is ' +
    'finalised once. For every response the mock finished (its first `response.done`), the ' +
    'adapter reports exactly one `response` observation for that `response_id` with the same ' +
    'status, even when the `response.done` was duplicated. Responses finished within ' +
    '`app.reportWaitMs` of the end of the trace are not judged when unreported. Real-world ' +
    'failure: clients that treat every `response.done` as success show a cut-off reply as ' +
    'complete, or run their "reply finished" hook twice.',
  sources: ['openclaw/openclaw#121177'],
  needs: { features: ['responses'], app: true },
  check(trace, context) {
    const reportWait = budget(context, 'app.reportWaitMs');
    const finished = [...streamedResponses(trace).values()].filter((r) => r.dones.length > 0);
    if (finished.length === 0) return undefined;
    const reports = observationsOf(trace, 'response');
    const evidence: Evidence[] = [];
    let judged = 0;
    for (const r of finished) {
      const done = r.dones[0]!;
      const status = responseStatusOf(done.event);
      const mine = reports.filter((o) => o.data.response_id === r.id);
      if (mine.length === 0) {
        if (trace.endedAt - done.at < reportWait) continue;
        judged += 1;
        evidence.push(
          frameEvidence(
            trace,
            done.index,
            `${r.id} ended ${status ?? '?'}; no response observation`,
          ),
        );
        continue;
      }
      judged += 1;
      if (mine[0]!.data.status !== status) {
        evidence.push(
          observationEvidence(
            trace,
            mine[0]!.index,
            `${r.id} reported ${mine[0]!.data.status}; it ended ${status ?? '?'}`,
          ),
        );
      }
      if (mine.length > 1) {
        evidence.push(
          observationEvidence(trace, mine[1]!.index, `${r.id} finalised ${mine.length} times`),
        );
      }
    }
    if (judged === 0) return undefined;
    if (evidence.length === 0)
      return pass(`${plural(judged, 'reply', 'replies')} reported once with the right status.`);
    return fail(
      `Reply outcomes were misreported for ${plural(evidence.length, 'finding')}.`,
      evidence,
    );
  },
};

/** TRANSCRIPT-ATTRIB: transcripts attributed by item_id. */
export const transcriptAttrib: Rule = {
  id: 'TRANSCRIPT-ATTRIB',
  level: 'SHOULD',
  title: 'Transcripts attributed by item_id',
  section: 'protocol §5 (input_audio_transcription.completed, output_audio_transcript.delta)',
  description:
    'User transcripts are attributed by `item_id`, even when they arrive after the reply ' +
    'started (swaram sends one per user turn, at any time after the turn). For every ' +
    '`conversation.item.input_audio_transcription.completed`, the adapter reports a `transcript` ' +
    'with role `user`, the same `item_id` and the same text (trimmed); the same text under ' +
    'another `item_id` is misattribution. An assistant `transcript` naming an `item_id` must ' +
    "show a prefix of that item's transcript deltas. Transcripts within `app.reportWaitMs` of " +
    'the end are not judged when unreported. Real-world failure: clients that append every ' +
    'user transcript to "the latest message" put the user\'s words inside the assistant\'s ' +
    'bubble when the transcript arrives late.',
  sources: ['pydantic/pydantic-ai#6324'],
  needs: { features: ['transcripts'], app: true },
  check(trace, context) {
    const reportWait = budget(context, 'app.reportWaitMs');
    const userTexts = wireEvents(
      trace,
      'out',
      'conversation.item.input_audio_transcription.completed',
    );
    const shown = observationsOf(trace, 'transcript');
    const assistantShown = shown.filter(
      (o) => o.data.role === 'assistant' && o.data.item_id !== undefined,
    );
    if (userTexts.length === 0 && assistantShown.length === 0) return undefined;
    const created = wireEvents(trace, 'out', 'response.created');
    const items = wireEvents(trace, 'out', 'conversation.item.created');
    const evidence: Evidence[] = [];
    let judged = 0;
    let late = 0;
    for (const u of userTexts) {
      const itemId = str(u.event.item_id);
      const text = (str(u.event.transcript) ?? '').trim();
      const users = shown.filter((o) => o.data.role === 'user' && o.at >= u.at);
      const same = users.filter((o) => o.data.item_id === itemId);
      const match = same.find((o) => (o.data.text ?? '').trim() === text);
      const userItem = items.find((i) => obj(i.event.item)?.id === itemId);
      const reply =
        userItem && created.find((c) => c.connection === u.connection && c.index > userItem.index);
      const isLate = reply !== undefined && reply.index < u.index;
      if (match) {
        judged += 1;
        if (isLate) late += 1;
        continue;
      }
      const elsewhere = shown.find(
        (o) =>
          o.at >= u.at &&
          o.data.item_id !== itemId &&
          text !== '' &&
          (o.data.text ?? '').trim() === text,
      );
      if (elsewhere) {
        judged += 1;
        evidence.push(
          observationEvidence(
            trace,
            elsewhere.index,
            `user text of ${itemId ?? '?'} shown under ${elsewhere.data.item_id} (${elsewhere.data.role})`,
          ),
        );
      } else if (same.length > 0) {
        judged += 1;
        evidence.push(
          observationEvidence(
            trace,
            same[same.length - 1]!.index,
            `${itemId ?? '?'} shows different text than its transcript`,
          ),
        );
      } else if (trace.endedAt - u.at >= reportWait) {
        judged += 1;
        evidence.push(
          frameEvidence(trace, u.index, `user transcript of ${itemId ?? '?'} never shown`),
        );
      }
    }
    const byItem = new Map<string, string>();
    for (const r of streamedResponses(trace).values()) {
      for (const d of r.transcriptDeltas) {
        const id = str(d.event.item_id);
        if (id !== undefined) byItem.set(id, (byItem.get(id) ?? '') + (str(d.event.delta) ?? ''));
      }
    }
    for (const o of assistantShown) {
      const itemId = o.data.item_id!;
      const full = byItem.get(itemId);
      const text = (o.data.text ?? '').trim();
      if (full === undefined || text === '') continue;
      judged += 1;
      if (!full.trim().startsWith(text)) {
        evidence.push(
          observationEvidence(
            trace,
            o.index,
            `assistant text shown under ${itemId} is not that item's transcript`,
          ),
        );
      }
    }
    if (judged === 0) return undefined;
    const lateNote = late > 0 ? ` (${plural(late, 'late transcript')} among them)` : '';
    if (evidence.length === 0)
      return pass(`${plural(judged, 'transcript')} attributed to the right item${lateNote}.`);
    return fail(
      `${plural(evidence.length, 'transcript')} were misattributed or missing${lateNote}.`,
      evidence,
    );
  },
};

/** The errors-and-events family, in catalogue order. */
export const ERROR_RULES: readonly Rule[] = [
  errorSurvive,
  unknownTolerant,
  doneStatus,
  transcriptAttrib,
];
