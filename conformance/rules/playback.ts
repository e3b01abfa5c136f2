import { budget } from '../metrics/budgets.js';
import { PENDING_MIN_MS } from '../metrics/episodes.js';
import type { Evidence, Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import {
  appEndedBetween,
  bytesToMs,
  wallMsOfAudio,
  clientClosedAfter,
  harnessStalls,
  observationsOf,
  playedChunks,
  responseStatusOf,
  stallWithin,
  stopCovers,
  stopReports,
  str,
  streamedResponses,
  validAudioBytes,
  wireEvents,
} from '../trace/trace-query.js';
import { fmtMs, plural } from '../trace/format.js';
import type { PlayedChunk, StreamedResponse, WireEvent } from '../trace/trace-query.js';
import { fail, frameEvidence, observationEvidence, pass } from './verdict.js';

/** PLAY-ORDER (2): chunks, and whole responses, that overlap by more than `jitter`. */
function findOverlaps(
  trace: Trace,
  chunks: readonly PlayedChunk[],
  jitter: number,
  problems: Set<string>,
  evidence: Evidence[],
): void {
  const byStart = [...chunks].sort((a, b) => a.start - b.start);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1]!;
    const next = byStart[i]!;
    if (next.start < prev.end - jitter) {
      problems.add('overlapping playback');
      evidence.push(
        observationEvidence(
          trace,
          next.index,
          `starts ${fmtMs(prev.end - next.start)} before the previous chunk ended`,
        ),
      );
    }
  }
  const spans = new Map<string, { start: number; end: number; first: number }>();
  for (const c of byStart) {
    if (c.responseId === undefined) continue;
    const s = spans.get(c.responseId);
    if (!s) spans.set(c.responseId, { start: c.start, end: c.end, first: c.index });
    else s.end = Math.max(s.end, c.end);
  }
  const ordered = [...spans].sort((a, b) => a[1].start - b[1].start);
  for (let i = 1; i < ordered.length; i++) {
    const [id, span] = ordered[i]!;
    const earlier = ordered.slice(0, i).find(([, s]) => s.end > span.start + jitter);
    if (earlier) {
      problems.add('responses interleaved');
      evidence.push(
        observationEvidence(
          trace,
          span.first,
          `${id} started ${fmtMs(earlier[1].end - span.start)} before ${earlier[0]} finished playing`,
        ),
      );
    }
  }
}

/** Valid deltas of a response with duplicates (same `event_id`) removed. */
function distinctDeltas(r: StreamedResponse): Array<WireEvent & { bytes: number }> {
  const seen = new Set<string>();
  return r.deltas.filter((d) => {
    const id = str(d.event.event_id);
    if (id === undefined) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Whether something ended or interrupted a response's playback legitimately in [from, to]. */
function interruptedBetween(trace: Trace, connection: number, from: number, to: number): boolean {
  if (appEndedBetween(trace, from, to)) return true;
  if (trace.actions.some((a) => a.kind === 'interrupt' && a.at >= from && a.at <= to)) return true;
  const c = trace.connections.find((x) => x.number === connection);
  if (c?.closedAt !== undefined && c.closedAt >= from && c.closedAt <= to) return true;
  return wireEvents(trace, 'out', 'input_audio_buffer.speech_started').some(
    (s) => s.connection === connection && s.at >= from && s.at <= to,
  );
}

/** PLAY-ORDER: deltas of a response played in order, without overlap, gaps or tail loss. */
export const playOrder: Rule = {
  id: 'PLAY-ORDER',
  level: 'MUST',
  title: 'Reply audio played in order, whole',
  section: 'protocol §5 (response.output_audio.delta), §6 (turn flows)',
  description:
    "A response's valid audio deltas reach the speaker in order, without overlap, without gaps " +
    'beyond jitter and without losing the tail; `response.done` does not cut playback short. ' +
    "Judged on the adapter's `audio.played` reports placed on the clock by the virtual speaker " +
    'model (a chunk ends when its report arrives and started its duration earlier), with ' +
    '`play.jitterMs` of tolerance for the lateness of reports: (1) no more audio played for a ' +
    'response than was sent for it (a response with a malformed delta is left to PLAY-STRICT, ' +
    'which fails the malformed bytes played as noise); (2) no two chunks overlapping in time, and no response ' +
    'starting to play before an earlier one finished (interleaving); (3) when the adapter ' +
    'reports the played bytes (`reportAudio`), they are exactly a prefix of the deltas in ' +
    'order; (4) no silence longer than `play.jitterMs` between two chunks of a response while ' +
    'the audio for the next chunk had already arrived. Reports arrive late on a loaded machine, ' +
    'so gaps are measured on settled end times (a sequential speaker ended a chunk at the ' +
    'latest when the next one started; the last chunk before the speaker went idle has no ' +
    'such witness and no gap is judged before it) and after discounting the lateness of the ' +
    "harness's own stalls (the spans its heartbeat saw it not running, and deltas or reports " +
    'stamped in a bunch after a pause; see ' +
    '`harnessStalls`); (5) a response that completed and was ' +
    'not interrupted (no barge-in, interrupt, app end or close; a server close counts from ' +
    'when its close frame was sent, so a client that stops on seeing it is not blamed) is ' +
    'played to within 20 ms of ' +
    'its end once there was time to, and no `playback.stopped` cuts it short. The speaker is ' +
    'sequential, so overlap means the client plays through more than one. Real-world ' +
    'failure: players that ' +
    'flush on `response.done` drop the last second of every reply (generation runs ahead of ' +
    'playback); players that schedule chunks by arrival overlap or reorder them.',
  sources: ['Azure-Samples/aoai-realtime-audio-sdk#54', 'run-llama/openai_realtime_client#1'],
  needs: { features: ['playback'], app: true },
  metrics: ['L_play'],
  check(trace, context) {
    const jitter = budget(context, 'play.jitterMs');
    const stalls = harnessStalls(trace);
    const reportWait = budget(context, 'app.reportWaitMs');
    const chunks = playedChunks(trace);
    const settled = settledEnds(chunks);
    const stops = stopReports(trace);
    const responses = [...streamedResponses(trace).values()].filter((r) => r.deltas.length > 0);
    if (responses.length === 0) return undefined;
    const malformed = new Set(malformedDeltas(trace).map((d) => str(d.event.response_id)));
    const evidence: Evidence[] = [];
    const problems = new Set<string>();

    // (2) overlap: chunks, and whole responses, may not overlap by more than the report jitter
    // (an `audio.played` arrives when its chunk ended, give or take the adapter's timers).
    findOverlaps(trace, chunks, jitter, problems, evidence);

    for (const r of responses) {
      const mine = chunks.filter((c) => c.responseId === r.id).sort((a, b) => a.end - b.end);
      const deltas = distinctDeltas(r);
      const sentBytes = deltas.reduce((n, d) => n + d.bytes, 0);
      const rawBytes = r.deltas.reduce((n, d) => n + d.bytes, 0);
      const playedBytes = mine.reduce((n, c) => n + c.bytes, 0);

      // (1) over-play. A response with a malformed delta that played more is PLAY-STRICT's
      // finding (the malformed bytes played as noise), not a second one here.
      if (playedBytes > rawBytes + 2 && !malformed.has(r.id)) {
        problems.add('more audio played than sent');
        evidence.push(
          observationEvidence(
            trace,
            mine[mine.length - 1]!.index,
            `${r.id}: played ${fmtMs(bytesToMs(playedBytes))}, sent ${fmtMs(bytesToMs(rawBytes))}`,
          ),
        );
      }

      // (3) byte order, when the adapter reports audio.
      if (mine.length > 0 && mine.every((c) => c.audio !== undefined)) {
        const played = Buffer.concat(mine.map((c) => Buffer.from(c.audio!, 'base64')));
        const sent = Buffer.concat(deltas.map((d) => Buffer.from(String(d.event.delta), 'base64')));
        if (!sent.subarray(0, played.length).equals(played)) {
          problems.add('audio reordered or altered');
          evidence.push(
            observationEvidence(
              trace,
              mine[0]!.index,
              `${r.id}: the played bytes are not the deltas in order`,
            ),
          );
        }
      }

      // (4) gaps while the next audio had arrived, on the corrected clock (see `settledEnds`).
      let offset = 0;
      for (let k = 0; k < mine.length; k++) {
        const c = mine[k]!;
        const end = settled.get(c.index);
        // A previous end without a witness is the reported one: an upper bound, so the gap
        // measured from it can only come out short, never invent one.
        const prev = k > 0 ? mine[k - 1]! : undefined;
        const prevEnd = prev ? (settled.get(prev.index) ?? prev.end) : undefined;
        if (end !== undefined && prevEnd !== undefined) {
          const avail = arrivalOfByte(deltas, offset);
          if (avail !== undefined) {
            // Discount what the harness's own stalls explain (bunched timestamps).
            const gap =
              end - c.wallMs - Math.max(prevEnd, avail) - stallWithin(stalls, prevEnd, c.end);
            if (gap > jitter) {
              problems.add('gaps in playback');
              evidence.push(
                observationEvidence(
                  trace,
                  c.index,
                  `${r.id}: ${fmtMs(gap)} of silence before this chunk while its audio had arrived`,
                ),
              );
            }
          }
        }
        offset += c.bytes;
      }

      // (5) tail loss and cut-short playback of a completed, uninterrupted response.
      const done = r.dones[0];
      if (!done || responseStatusOf(done.event) !== 'completed') continue;
      const firstDelta = r.deltas[0]!;
      const lastDelta = r.deltas[r.deltas.length - 1]!;
      const firstStart = mine[0]?.start ?? firstDelta.at;
      const deadline =
        Math.max(firstStart, lastDelta.at) +
        wallMsOfAudio(trace, bytesToMs(sentBytes)) +
        jitter +
        reportWait;
      const stop = stops.find((s) => s.at >= firstDelta.at && stopCovers(s, r.id));
      const missing = bytesToMs(sentBytes - playedBytes);
      if (stop) {
        if (
          missing > PENDING_MIN_MS &&
          !interruptedBetween(trace, r.connection, firstDelta.at, stop.at)
        ) {
          problems.add('playback cut short');
          evidence.push(
            observationEvidence(
              trace,
              stop.index,
              `${r.id} completed but playback stopped with ${fmtMs(missing)} unplayed`,
            ),
          );
        }
        continue;
      }
      if (interruptedBetween(trace, r.connection, firstDelta.at, deadline)) continue;
      if (trace.endedAt < deadline) continue;
      if (missing > PENDING_MIN_MS) {
        problems.add('tail loss');
        evidence.push(
          frameEvidence(
            trace,
            done.index,
            `${r.id}: ${fmtMs(missing)} of ${fmtMs(bytesToMs(sentBytes))} never played`,
          ),
        );
      }
    }

    if (evidence.length === 0) {
      return pass(`${plural(responses.length, 'reply', 'replies')} played in order and whole.`);
    }
    return fail(`Reply playback was damaged: ${[...problems].join(', ')}.`, evidence);
  },
};

/**
 * Chunk end times corrected for late reports, by chunk (observation index). The speaker is
 * sequential, so a chunk ended at the latest when the next one started: walking backwards,
 * end_k = min(reported end_k, end_{k+1} − duration_{k+1}). A report the adapter sent late (its
 * timer fired late on a loaded machine) is pulled back by the report after it. A chunk after
 * which the speaker went idle (the last of a reply, or one before a real gap) has no such
 * witness and gets no settled end: its report may be late, so its start is unknown and no gap
 * is judged before it; as the previous chunk of a gap, its reported end is an upper bound.
 */
export function settledEnds(chunks: readonly PlayedChunk[]): Map<number, number> {
  const sorted = [...chunks].sort((a, b) => a.end - b.end);
  const settled = new Map<number, number>();
  let next: { end: number; wallMs: number } | undefined;
  for (let k = sorted.length - 1; k >= 0; k--) {
    const c = sorted[k]!;
    // A witness is the next chunk when the speaker was still busy (it started by c's report).
    const witness = next !== undefined && next.end - next.wallMs <= c.end + 1 ? next : undefined;
    const end = witness ? Math.min(c.end, witness.end - witness.wallMs) : c.end;
    if (witness) settled.set(c.index, end);
    next = { end, wallMs: c.wallMs };
  }
  return settled;
}

/** When the delta holding byte `offset` of a response (distinct deltas in order) arrived. */
function arrivalOfByte(
  deltas: ReadonlyArray<WireEvent & { bytes: number }>,
  offset: number,
): number | undefined {
  let end = 0;
  for (const d of deltas) {
    end += d.bytes;
    if (end > offset) return d.at;
  }
  return undefined;
}

/** The audio deltas the mock sent that are not playable PCM16 (bad base64, odd length, empty). */
function malformedDeltas(trace: Trace) {
  return wireEvents(trace, 'out', 'response.output_audio.delta').filter((d) => {
    const bytes = validAudioBytes(d.event.delta);
    return bytes === undefined || bytes === 0;
  });
}

/** PLAY-STRICT: a malformed delta is dropped and reported, never played, never a crash. */
export const playStrict: Rule = {
  id: 'PLAY-STRICT',
  level: 'SHOULD',
  title: 'Malformed audio deltas are dropped and reported',
  section: 'protocol §3 (audio), §5 (response.output_audio.delta)',
  description:
    'A `response.output_audio.delta` whose `delta` is bad base64, an odd number of bytes or ' +
    'empty is dropped and reported, never played as noise, and does not break the client. ' +
    'For each malformed delta the mock sent: (1) an `audio.dropped` with reason `malformed` ' +
    'follows (for its response when the report names one); (2) no more audio is played for ' +
    'that response than its valid deltas hold, and no `audio.played` of it has an odd number ' +
    'of bytes (valid deltas are whole samples; an odd chunk elsewhere is no finding); (3) the client does not close the connection ' +
    'or report a fatal error afterwards (unless the app ended the session); (4) when valid ' +
    'audio arrives after it, some of it is played. Real-world failure: decoders that accept ' +
    'garbage play a burst of noise at full volume, or throw inside the socket handler and ' +
    'kill the session.',
  sources: ['openclaw/openclaw#114747'],
  needs: { features: ['playback'], app: true },
  check(trace, context) {
    const reportWait = budget(context, 'app.reportWaitMs');
    const closeWindow = budget(context, 'errors.closeWindowMs');
    const bad = malformedDeltas(trace);
    if (bad.length === 0) return undefined;
    const dropped = observationsOf(trace, 'audio.dropped');
    const fatal = observationsOf(trace, 'error').filter((o) => o.data.fatal === true);
    const chunks = playedChunks(trace);
    const responses = streamedResponses(trace);
    const validDeltas = wireEvents(trace, 'out', 'response.output_audio.delta').filter(
      (d) => (validAudioBytes(d.event.delta) ?? 0) > 0,
    );
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    const checkedResponses = new Set<string>();
    for (const d of bad) {
      const rid = str(d.event.response_id);
      const settled = trace.endedAt - d.at >= reportWait;
      const report = dropped.find(
        (o) =>
          o.at >= d.at &&
          o.data.reason === 'malformed' &&
          (o.data.response_id === undefined || o.data.response_id === rid),
      );
      if (!report && settled) {
        problems.add('not reported');
        evidence.push(
          frameEvidence(
            trace,
            d.index,
            'malformed delta with no audio.dropped (malformed) after it',
          ),
        );
      }
      if (rid !== undefined && !checkedResponses.has(rid)) {
        checkedResponses.add(rid);
        const r = responses.get(rid);
        const valid = r ? r.deltas.reduce((n, x) => n + x.bytes, 0) : 0;
        const played = chunks.filter((c) => c.responseId === rid).reduce((n, c) => n + c.bytes, 0);
        if (played > valid + 2) {
          problems.add('played as noise');
          evidence.push(
            frameEvidence(
              trace,
              d.index,
              `${rid}: ${played - valid} bytes more played than its valid deltas hold`,
            ),
          );
        }
        // swaram's valid deltas are whole samples: an odd-length chunk of a response that had a
        // malformed delta is that delta (or its bytes) at the speaker. Elsewhere an odd chunk is
        // no finding by itself (a player may split a sample across two chunks).
        const odd = chunks.find((c) => c.responseId === rid && c.bytes % 2 !== 0);
        if (odd) {
          problems.add('played as noise');
          evidence.push(
            observationEvidence(
              trace,
              odd.index,
              `${rid}: ${odd.bytes} bytes played, not whole PCM16 samples, after a malformed delta`,
            ),
          );
        }
      }
      if (clientClosedAfter(trace, d.connection, d.at, closeWindow) !== undefined) {
        problems.add('client closed the connection');
        evidence.push(
          frameEvidence(
            trace,
            d.index,
            `the client closed connection ${d.connection} after this delta`,
          ),
        );
      }
      const f = fatal.find((o) => o.at >= d.at);
      if (f) {
        problems.add('fatal error');
        evidence.push(
          observationEvidence(
            trace,
            f.index,
            'the client gave up the session after a malformed delta',
          ),
        );
      }
      const laterValid = validDeltas.filter((v) => v.at >= d.at && v.connection === d.connection);
      const laterMs = bytesToMs(
        laterValid.reduce((n, v) => n + (validAudioBytes(v.event.delta) ?? 0), 0),
      );
      if (laterMs >= 100 && settled && !chunks.some((c: PlayedChunk) => c.end > d.at)) {
        problems.add('playback stopped working');
        evidence.push(
          frameEvidence(
            trace,
            d.index,
            `${fmtMs(laterMs)} of valid audio came after it and none was played`,
          ),
        );
      }
    }
    if (evidence.length === 0) {
      return pass(`${plural(bad.length, 'malformed delta')} dropped, reported and survived.`);
    }
    return fail(`Malformed deltas were mishandled: ${[...problems].join(', ')}.`, evidence);
  },
};

/** The playback family, in catalogue order. */
export const PLAYBACK_RULES: readonly Rule[] = [playOrder, playStrict];
