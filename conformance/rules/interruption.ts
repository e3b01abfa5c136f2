import { bargeIns, cancellations, interruptCancels, PENDING_MIN_MS } from '../metrics/episodes.js';
import type { Cancellation } from '../metrics/episodes.js';
import type { IndexedObservation } from '../trace/trace-query.js';
import { budget } from '../metrics/budgets.js';
import { summarise } from '../metrics/statistics.js';
import type { Evidence, Rule } from './rule.js';
import {
  appEndedBetween,
  bytesToMs,
  clientClosedAfter,
  errorOf,
  harnessStalls,
  hasApp,
  hasFeature,
  observationsOf,
  playedBytesBy,
  playedChunks,
  stallWithin,
  stopCovers,
  stopReports,
  str,
  streamedResponses,
  wireEvents,
} from '../trace/trace-query.js';
import { fmtMs, plural } from '../trace/format.js';
import { fail, frameEvidence, observationEvidence, pass, timeEvidence, warn } from './verdict.js';

/** BARGE-STOP: on speech_started while audio plays, playback stops and the queue is dropped. */
export const bargeStop: Rule = {
  id: 'BARGE-STOP',
  level: 'MUST',
  title: 'Barge-in stops playback at once',
  section: 'protocol §6 (barge-in)',
  description:
    'When the mock sends `input_audio_buffer.speech_started` while reply audio is playing or ' +
    'queued at the client, the client stops playback and drops every queued sample, including ' +
    'audio of a response whose `response.done` already arrived but is still playing (generation ' +
    'runs faster than real time). A response counts as playing or queued when more than 20 ms ' +
    'of its delivered audio was not yet played at `speech_started` (virtual speaker clock) and ' +
    'no `playback.stopped` covering it came before (a client with its own VAD may stop first); ' +
    'audio the client reported dropping (`audio.dropped`) before is not queued, and a reply ' +
    "the mock cancelled before is STALE-FENCE's, not this rule's. " +
    'For each such response: L_stop = the last played sample of what of it was playing or ' +
    'queued at `speech_started` − `speech_started` (floored at 0). The speaker plays a reply in ' +
    'order, so that audio is the first bytes of it played up to what had been delivered by ' +
    "then; late deltas that arrive after the client's stop and are played again do not count " +
    "here (that is STALE-FENCE's failure); the p95 of the trace's L_stop must be within `L_stop.p95`, and the drop must be " +
    'reported: a `playback.stopped` covering it, or an `audio.dropped` for it (audio dropped ' +
    'before it reached the speaker). Stalls of the harness (measured by its heartbeat, or seen in ' +
    'timestamps that bunched up; see ' +
    '`harnessStalls`) can only lengthen L_stop, so the budget is judged on L_stop minus the ' +
    'lateness they evidence in the same window; the raw figure is reported. ' +
    'The budget is part of the rule here (stopping late is the ' +
    'failure), so over budget is a fail, not a warning. Real-world failure: the assistant keeps ' +
    'talking over the user for seconds because the client only stops the current chunk, or ' +
    'only stops when `response.done` arrives.',
  sources: [
    'twilio-samples/speech-assistant-openai-realtime-api-node#9',
    'openai/openai-agents-js#1173',
    'Azure/azure-sdk-for-python#48965',
  ],
  needs: { features: ['playback', 'barge-in'], app: true },
  metrics: ['L_stop'],
  check(trace, context) {
    const limit = budget(context, 'L_stop.p95');
    const events = bargeIns(trace);
    if (events.length === 0) return undefined;
    // The harness's own stalls (bunched timestamps) can only make L_stop look longer; the
    // budget is judged on L_stop minus the lateness they evidence in the same window.
    const stalls = harnessStalls(trace);
    const judged = events.flatMap((b) =>
      b.responses.map((r) => {
        const late = r.lastPlayed ? stallWithin(stalls, b.speechStarted.at, r.lastPlayed.end) : 0;
        return { b, r, late, excess: Math.max(0, r.lStop - late) };
      }),
    );
    const s = summarise(judged.map((j) => j.r.lStop));
    const adjusted = summarise(judged.map((j) => j.excess));
    const evidence: Evidence[] = [];
    let missingStop = 0;
    for (const { b, r, late, excess } of judged) {
      if (excess > limit && r.lastPlayed) {
        evidence.push(
          observationEvidence(
            trace,
            r.lastPlayed.index,
            `${r.responseId} still played ${fmtMs(r.lStop)} after speech_started` +
              (late > 0 ? ` (the harness stalled ${fmtMs(late)} meanwhile)` : ''),
          ),
        );
      }
      if (!r.stop && !r.dropped) {
        missingStop += 1;
        evidence.push(
          frameEvidence(
            trace,
            b.speechStarted.index,
            `no playback.stopped or audio.dropped for ${r.responseId} after this speech_started (${fmtMs(r.pendingMs)} was playing or queued)`,
          ),
        );
      }
    }
    const stalled =
      adjusted.p95! < s.p95! ? `; ${fmtMs(s.p95! - adjusted.p95!)} of it harness stalls` : '';
    const figures = `L_stop p95 ${fmtMs(s.p95!)}, max ${fmtMs(s.max!)} over ${plural(s.count, 'interrupted reply', 'interrupted replies')}${stalled}`;
    if (adjusted.p95! > limit || missingStop > 0) {
      const why = [
        ...(adjusted.p95! > limit ? [`playback went on past the ${limit} ms budget`] : []),
        ...(missingStop > 0
          ? [
              `${plural(missingStop, 'interrupted reply', 'interrupted replies')} never reported dropping their audio (no playback.stopped or audio.dropped)`,
            ]
          : []),
      ];
      return fail(
        `Barge-in did not stop playback properly: ${why.join('; ')} (${figures}).`,
        evidence,
      );
    }
    return pass(`Playback stopped on every barge-in (${figures}).`);
  },
};

/** STALE-FENCE: a cancelled response's late audio and text are not played or shown. */
export const staleFence: Rule = {
  id: 'STALE-FENCE',
  level: 'MUST',
  title: 'Nothing of a cancelled reply after the cancel',
  section: 'protocol §6 (barge-in, explicit interrupt), §5 (response.done)',
  description:
    'Once a response is cancelled (its `response.done` has status `cancelled`, or `incomplete` ' +
    'with reason `turn_detected`), the client plays nothing more of it and shows none of its ' +
    'text that arrives later; a late or repeated `response.done` of it does not disturb a newer ' +
    'response. State is tracked per `response_id`. Checked: (1) no `audio.played` of it ends ' +
    'later than the cancel + slack, where slack is one chunk (the longest chunk reported for ' +
    'it) and at least `stale.slackMs` (so a stop that BARGE-STOP accepts is not called stale), ' +
    "after discounting the harness's own stalls in between (see `harnessStalls`); " +
    '(2) no more of it is played than was delivered before the cancel (late deltas); (3) with ' +
    'feature `transcripts`, no assistant transcript of it grows past the text delivered before ' +
    'the cancel; (4) a `response.done` of it arriving while a newer response has audio playing ' +
    'or queued neither stops that audio (without a barge-in, interrupt, end or close) nor ' +
    'reports the newer response finished. The stale leak metric (ms of it played after the ' +
    'cancel) is reported. Real-world failure: clients keyed on "the current response" play ' +
    "the old reply's late deltas into the new turn, or let the old `response.done` end the " +
    'new reply.',
  sources: ['TheSmokeDev/hermes-talk#48', 'openai/openai-agents-python#4135'],
  needs: { features: ['playback'], app: true },
  metrics: ['stale_leak'],
  check(trace, context) {
    const slackBudget = budget(context, 'stale.slackMs');
    const cancelled = cancellations(trace).filter(
      (c) =>
        c.response.deltas.length > 0 ||
        c.response.transcriptDeltas.length > 0 ||
        c.chunksAfter.length > 0 ||
        c.response.dones.length > 1,
    );
    if (cancelled.length === 0) return undefined;
    const chunks = playedChunks(trace);
    const stalls = harnessStalls(trace);
    const stops = stopReports(trace);
    const responses = [...streamedResponses(trace).values()];
    const transcripts = observationsOf(trace, 'transcript');
    const responseObs = observationsOf(trace, 'response');
    const evidence: Evidence[] = [];
    const problems = new Set<string>();

    for (const c of cancelled) {
      const r = c.response;
      const C = c.done.at;
      const mine = chunks.filter((x) => x.responseId === r.id);
      const slack = Math.max(slackBudget, ...mine.map((x) => x.wallMs));
      // A report the harness stamped late (its own stall after the cancel) is not a leak.
      const leaked = (x: (typeof mine)[number]) =>
        x.end - stallWithin(stalls, C, x.end) > C + slack;
      for (const x of mine.filter(leaked)) {
        problems.add('audio played after the cancel');
        evidence.push(
          observationEvidence(
            trace,
            x.index,
            `${r.id} played until ${fmtMs(x.end - C)} after its cancel`,
          ),
        );
      }
      const before = r.deltas
        .filter((d) => d.index < c.done.index)
        .reduce((n, d) => n + d.bytes, 0);
      const late = r.deltas.filter((d) => d.index > c.done.index);
      const played = mine.reduce((n, x) => n + x.bytes, 0);
      if (late.length > 0 && played > before + 2) {
        problems.add('late deltas played');
        evidence.push(
          frameEvidence(
            trace,
            late[0]!.index,
            `${r.id}: ${fmtMs(bytesToMs(played - before))} of audio delivered after the cancel was played`,
          ),
        );
      }
      const grown = hasFeature(trace, 'transcripts') ? lateTextShown(c, transcripts) : undefined;
      if (grown) {
        problems.add('late text shown');
        evidence.push(
          observationEvidence(
            trace,
            grown.index,
            `${r.id}: shows text that arrived after its cancel`,
          ),
        );
      }
      for (const d of r.dones.filter((x) => x.index > c.done.index)) {
        for (const n of responses) {
          if (n.id === r.id || !n.created || n.created.index < (r.created?.index ?? -1)) continue;
          if (n.created.index > d.index || (n.dones[0] && n.dones[0].index < d.index)) continue;
          const delivered = n.deltas
            .filter((x) => x.index < d.index)
            .reduce((s, x) => s + x.bytes, 0);
          const pending = bytesToMs(delivered - playedBytesBy(chunks, n.id, d.at)) > PENDING_MIN_MS;
          const stop = stops.find(
            (s) => s.at >= d.at && s.at <= d.at + slack && stopCovers(s, n.id),
          );
          const legit =
            stop !== undefined &&
            (appEndedBetween(trace, d.at, stop.at) ||
              trace.actions.some(
                (a) => a.kind === 'interrupt' && a.at >= d.at && a.at <= stop.at,
              ) ||
              wireEvents(trace, 'out', 'input_audio_buffer.speech_started').some(
                (s) => s.at >= d.at && s.at <= stop.at,
              ));
          if (pending && stop && !legit) {
            problems.add('late response.done disturbed a newer reply');
            evidence.push(
              observationEvidence(
                trace,
                stop.index,
                `a late response.done of ${r.id} stopped ${n.id}`,
              ),
            );
          }
          const wrong = responseObs.find(
            (o) =>
              o.at >= d.at && o.data.response_id === n.id && (!n.dones[0] || o.at < n.dones[0].at),
          );
          if (wrong) {
            problems.add('late response.done disturbed a newer reply');
            evidence.push(
              observationEvidence(
                trace,
                wrong.index,
                `a late response.done of ${r.id} finished ${n.id} early`,
              ),
            );
          }
        }
      }
    }
    const leak = summarise(cancelled.map((c) => c.leakMs));
    const figures = `stale leak max ${fmtMs(leak.max ?? 0)}`;
    if (evidence.length === 0) {
      return pass(
        `${plural(cancelled.length, 'cancelled reply', 'cancelled replies')} stayed fenced (${figures}).`,
      );
    }
    return fail(`Cancelled replies leaked: ${[...problems].join(', ')} (${figures}).`, evidence);
  },
};

/**
 * STALE-FENCE: an assistant transcript of a cancelled response, shown after text for it
 * arrived past its cancel, that is longer than the text that came before the cancel.
 */
function lateTextShown(
  c: Cancellation,
  transcripts: ReadonlyArray<IndexedObservation<'transcript'>>,
): IndexedObservation<'transcript'> | undefined {
  const r = c.response;
  const lateText = r.transcriptDeltas.filter((d) => d.index > c.done.index);
  if (lateText.length === 0) return undefined;
  const valid = r.transcriptDeltas
    .filter((d) => d.index < c.done.index)
    .map((d) => str(d.event.delta) ?? '')
    .join('');
  const itemIds = new Set(r.transcriptDeltas.map((d) => str(d.event.item_id)));
  return transcripts.find(
    (o) =>
      o.at >= lateText[0]!.at &&
      o.data.role === 'assistant' &&
      (o.data.response_id === r.id || itemIds.has(o.data.item_id)) &&
      (o.data.text ?? '').trim().length > valid.trim().length,
  );
}

/** CANCEL-ACTIVE: `response.cancel` only while a response is in flight; interrupt = cancel + flush. */
export const cancelActive: Rule = {
  id: 'CANCEL-ACTIVE',
  level: 'SHOULD',
  title: 'response.cancel only while a reply is in flight',
  section: 'protocol §4 (response.cancel), §6 (explicit interrupt)',
  description:
    'The client sends `response.cancel` only while a response is in flight on that connection ' +
    '(its `response.created` sent and its `response.done` not yet sent, by frame order). A ' +
    'cancel arriving within `cancel.raceMs` after the response ended crossed the ' +
    '`response.done` on the wire and is tolerated (RACE-TOLERANT judges what follows). swaram ' +
    'cancels on its own on barge-in, so a cancel sent in reaction to `speech_started` is ' +
    'usually such a race or worse. When the app interrupts (runner action `interrupt`, sent to ' +
    'adapters with feature `cancel`) while a response is in flight (on a connection still ' +
    'open: a reply cut off by a close has nothing left to cancel), the client sends ' +
    '`response.cancel` (L_cancel = cancel received − interrupt; over `L_cancel.p95` warns) ' +
    'and, with feature `playback`, flushes its own playback (a `playback.stopped` covering it, ' +
    'or an `audio.dropped` for it, follows when its audio was playing or queued). Real-world failure: clients that cancel on every ' +
    '`speech_started` flood the log with `response_cancel_not_active` and sometimes cancel the ' +
    'next reply instead.',
  sources: ['pipecat-ai/pipecat#3755', 'livekit/agents#6244'],
  needs: {},
  metrics: ['L_cancel'],
  check(trace, context) {
    const raceMs = budget(context, 'cancel.raceMs');
    const limit = budget(context, 'L_cancel.p95');
    const cancels = wireEvents(trace, 'in', 'response.cancel');
    const interrupts = interruptCancels(trace);
    if (cancels.length === 0 && interrupts.length === 0) return undefined;
    const responses = [...streamedResponses(trace).values()];
    const chunks = playedChunks(trace);
    const stops = stopReports(trace);
    const drops = observationsOf(trace, 'audio.dropped');
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    let races = 0;

    for (const c of cancels) {
      const onConn = responses.filter(
        (r) => r.connection === c.connection && r.created && r.created.index < c.index,
      );
      const inFlight = onConn.some((r) => !r.dones[0] || r.dones[0].index > c.index);
      if (inFlight) continue;
      const lastDone = onConn
        .map((r) => r.dones[0])
        .filter((d) => d !== undefined && d.index < c.index)
        .sort((a, b) => b!.at - a!.at)[0];
      if (lastDone && c.at - lastDone.at <= raceMs) {
        races += 1;
        continue;
      }
      problems.add('cancel with no reply in flight');
      evidence.push(
        frameEvidence(
          trace,
          c.index,
          lastDone
            ? `response.cancel ${fmtMs(c.at - lastDone.at)} after the last reply ended`
            : 'response.cancel before any reply',
        ),
      );
    }

    const samples: number[] = [];
    for (const i of interrupts) {
      if (!i.inFlight) continue;
      if (!i.cancel) {
        problems.add('interrupt not mapped to response.cancel');
        evidence.push(
          timeEvidence(
            i.action.at,
            `interrupt while ${i.inFlight.id} was in flight; no response.cancel followed`,
          ),
        );
      } else if (i.lCancel !== undefined) {
        samples.push(i.lCancel);
      }
      if (hasFeature(trace, 'playback')) {
        const r = i.inFlight;
        const delivered = r.deltas
          .filter((d) => d.at <= i.action.at)
          .reduce((n, d) => n + d.bytes, 0);
        const pending = bytesToMs(delivered - playedBytesBy(chunks, r.id, i.action.at));
        const flushed =
          stops.some((s) => s.at >= i.action.at && stopCovers(s, r.id)) ||
          drops.some((o) => o.at >= i.action.at && o.data.response_id === r.id);
        if (pending > PENDING_MIN_MS && !flushed) {
          problems.add('no local flush on interrupt');
          evidence.push(
            timeEvidence(
              i.action.at,
              `interrupt with ${fmtMs(pending)} of ${r.id} queued; no playback.stopped followed`,
            ),
          );
        }
      }
    }
    const s = summarise(samples);
    const figures = s.count > 0 ? ` (L_cancel p95 ${fmtMs(s.p95!)})` : '';
    const raceNote =
      races > 0 ? `; ${plural(races, 'cancel')} crossed a response.done (race, tolerated)` : '';
    if (evidence.length > 0) {
      return fail(`${[...problems].join('; ')}${figures}${raceNote}.`, evidence);
    }
    if (s.count > 0 && s.p95! > limit) {
      return warn(
        `Interrupts were cancelled slowly: L_cancel p95 ${fmtMs(s.p95!)} over the ${limit} ms budget${raceNote}.`,
      );
    }
    return pass(`Every response.cancel targeted a reply in flight${figures}${raceNote}.`);
  },
};

const RACE_CODES: ReadonlySet<string> = new Set([
  'response_cancel_not_active',
  'conversation_already_has_active_response',
]);

/** RACE-TOLERANT: race errors are recoverable. */
export const raceTolerant: Rule = {
  id: 'RACE-TOLERANT',
  level: 'MUST',
  title: 'Race errors are recoverable',
  section: 'protocol §4 (response.cancel, response.create), §7 (mock error codes)',
  description:
    '`response_cancel_not_active` and `conversation_already_has_active_response` are the ' +
    'normal outcome of a race between the client and swaram. After one: (1) the client keeps ' +
    'the connection open (it does not close it, unless the app ended the session); (2) it ' +
    'reports no fatal error for it; (3) with feature `playback`, when a later reply on that ' +
    'connection brought audio, some of it is played (the next turn works). Real-world ' +
    'failure: clients that treat every `error` as fatal tear the session down on a harmless ' +
    'race and the user hears nothing more.',
  sources: ['pipecat-ai/pipecat#3960'],
  needs: {},
  check(trace, context) {
    const reportWait = budget(context, 'app.reportWaitMs');
    const races = wireEvents(trace, 'out', 'error').filter((e) =>
      RACE_CODES.has(errorOf(e.event).code ?? ''),
    );
    if (races.length === 0) return undefined;
    const fatal = observationsOf(trace, 'error').filter((o) => o.data.fatal === true);
    const responses = [...streamedResponses(trace).values()];
    const chunks = playedChunks(trace);
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    for (const e of races) {
      const code = errorOf(e.event).code!;
      const closedAt = clientClosedAfter(
        trace,
        e.connection,
        e.at,
        budget(context, 'errors.closeWindowMs'),
      );
      if (closedAt !== undefined) {
        problems.add('closed the connection');
        evidence.push(
          frameEvidence(
            trace,
            e.index,
            `${code}; the client closed connection ${e.connection} ${fmtMs(closedAt - e.at)} later`,
          ),
        );
      }
      const f = fatal.find((o) => o.at >= e.at && (o.data.code === code || o.at - e.at <= 1000));
      if (f) {
        problems.add('fatal error');
        evidence.push(observationEvidence(trace, f.index, `the client gave up after ${code}`));
      }
      if (hasApp(trace) && hasFeature(trace, 'playback')) {
        const next = responses.filter(
          (r) =>
            r.connection === e.connection &&
            r.created !== undefined &&
            r.created.index > e.index &&
            r.deltas.length > 0,
        );
        const first = next[0]?.deltas[0];
        if (
          first &&
          trace.endedAt - first.at >= reportWait &&
          !chunks.some((c) => next.some((r) => r.id === c.responseId))
        ) {
          problems.add('next reply not played');
          evidence.push(
            frameEvidence(
              trace,
              first.index,
              `after ${code}, the next reply's audio was never played`,
            ),
          );
        }
      }
    }
    if (evidence.length === 0) {
      return pass(`The client recovered from ${plural(races.length, 'race error')}.`);
    }
    return fail(
      `The client did not recover from race errors: ${[...problems].join(', ')}.`,
      evidence,
    );
  },
};

/** The interruption family, in catalogue order. */
export const INTERRUPTION_RULES: readonly Rule[] = [
  bargeStop,
  staleFence,
  cancelActive,
  raceTolerant,
];
