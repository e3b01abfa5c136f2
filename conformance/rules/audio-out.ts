import { slope } from '../metrics/statistics.js';
import { pcm16Base64Problem } from '../../protocol/codec.js';
import { base64ToPcm, concatPcm } from '../../protocol/audio/index.js';
import { tonePitchHz } from '../../protocol/audio/pitch.js';
import { budget } from '../metrics/budgets.js';
import { summarise } from '../metrics/statistics.js';
import type { Evidence, Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import {
  actionsOf,
  bytesToMs,
  num,
  audioMsOfWall,
  measuredStalls,
  perFinishedTrace,
  stallWithin,
  wallMsOfAudio,
  validAudioBytes,
  wireEvents,
} from '../trace/trace-query.js';
import { fmtMs, plural } from '../trace/format.js';
import type { WireEvent } from '../trace/trace-query.js';
import { fail, frameEvidence, pass, timeEvidence } from './verdict.js';

/** A valid append with its duration. */
type Chunk = WireEvent<'input_audio_buffer.append'> & { ms: number };

/**
 * Valid appends split into streams: per connection, a pause of `gapMs` or more between two
 * appends ends a stream.
 */
export const appendStreams = perFinishedTrace(readAppendStreams);

function readAppendStreams(trace: Trace, gapMs: number): Chunk[][] {
  const streams: Chunk[][] = [];
  const open = new Map<number, Chunk[]>();
  const stalls = measuredStalls(trace);
  for (const e of wireEvents(trace, 'in', 'input_audio_buffer.append')) {
    const bytes = validAudioBytes(e.event.audio);
    if (bytes === undefined || bytes === 0) continue;
    const chunk: Chunk = { ...e, ms: bytesToMs(bytes) };
    const current = open.get(e.connection);
    const last = current?.[current.length - 1];
    // A pause the runner's own stall explains is no pause of the client's.
    if (current && last && e.at - last.at - stallWithin(stalls, last.at, e.at) < gapMs) {
      current.push(chunk);
    } else {
      const fresh = [chunk];
      streams.push(fresh);
      open.set(e.connection, fresh);
    }
  }
  return streams;
}

/** APPEND-FORMAT: strict base64 of PCM16, non-empty, even byte count. */
export const appendFormat: Rule = {
  id: 'APPEND-FORMAT',
  timingFree: true,
  level: 'MUST',
  title: 'Appended audio is strict base64 PCM16',
  section: 'protocol §3 (audio), §4 (input_audio_buffer.append)',
  description:
    'Every `input_audio_buffer.append` carries `audio` that is canonical, padded, ' +
    'standard-alphabet base64 (no `data:` prefix, no whitespace or line breaks, no base64url), ' +
    'non-empty, and an even number of bytes (whole PCM16 samples). That the samples are 24 kHz ' +
    'mono cannot be seen in the bytes; APPEND-PACE checks the rate from timing. Real-world ' +
    'failure: data-URL prefixes, MIME line breaks and odd byte counts from dropped bytes are ' +
    'rejected with `invalid_audio`, so the user is never heard.',
  sources: [
    'huggingface/speech-to-speech#410',
    'openai/openai-agents-python#1824',
    'QuantumNous/new-api#5725',
  ],
  needs: {},
  check(trace) {
    const appends = wireEvents(trace, 'in', 'input_audio_buffer.append');
    if (appends.length === 0) return undefined;
    const evidence: Evidence[] = [];
    for (const a of appends) {
      const audio = a.event.audio;
      const problem =
        typeof audio === 'string' ? pcm16Base64Problem(audio) : 'is missing or not a string';
      if (problem !== undefined) evidence.push(frameEvidence(trace, a.index, `audio ${problem}`));
    }
    if (evidence.length === 0) {
      return pass(`All ${plural(appends.length, 'append')} carry strict base64 PCM16.`);
    }
    return fail(
      `${plural(evidence.length, 'append')} of ${appends.length} carry audio that is not strict base64 PCM16.`,
      evidence,
    );
  },
};

/** APPEND-SIZE: 10–200 ms per chunk. */
export const appendSize: Rule = {
  id: 'APPEND-SIZE',
  level: 'SHOULD',
  title: 'Audio chunks of 10–200 ms',
  section: 'protocol §3 (audio: 20–100 ms chunks are usual)',
  description:
    'Each valid append carries between `append.minChunkMs` (10) and `append.maxChunkMs` (200) ' +
    'ms of audio; 20–100 ms is usual. The last chunk of a stream (followed by a pause of ' +
    '`append.streamGapMs` or another client event, or ending the connection) may be shorter: ' +
    'it is the remainder when the microphone stops. Real-world failure: whole utterances or ' +
    'files sent in one append hit frame limits (close 1009) and defeat server VAD; tiny ' +
    'chunks multiply per-message overhead.',
  sources: ['lemonade-sdk/lemonade#2442', 'pipecat-ai/pipecat#1464', 'BasedHardware/omi#565'],
  needs: {},
  check(trace, context) {
    const min = budget(context, 'append.minChunkMs');
    const max = budget(context, 'append.maxChunkMs');
    const gap = budget(context, 'append.streamGapMs');
    const streams = appendStreams(trace, gap);
    const chunks = streams.flat();
    if (chunks.length === 0) return undefined;
    const evidence: Evidence[] = [];
    for (const stream of streams) {
      stream.forEach((c, i) => {
        const next = trace.frames
          .slice(c.index + 1)
          .find((f) => f.dir === 'in' && f.connection === c.connection);
        const lastOfStream =
          i === stream.length - 1 || next?.event?.type !== 'input_audio_buffer.append';
        if (c.ms > max) {
          evidence.push(
            frameEvidence(trace, c.index, `${fmtMs(c.ms)} in one append (over ${max} ms)`),
          );
        } else if (c.ms < min && !lastOfStream) {
          evidence.push(
            frameEvidence(trace, c.index, `${fmtMs(c.ms)} in one append (under ${min} ms)`),
          );
        }
      });
    }
    const s = summarise(chunks.map((c) => c.ms));
    const sizes = `median ${fmtMs(s.p50!)}, largest ${fmtMs(s.max!)}`;
    if (evidence.length === 0) {
      return pass(`${plural(chunks.length, 'append')} of ${min}–${max} ms (${sizes}).`);
    }
    return fail(
      `${plural(evidence.length, 'append')} fall outside ${min}–${max} ms (${sizes}).`,
      evidence,
    );
  },
};

/** How long after a measured stall of the runner its backlog may still be stamped (ms). */
const SETTLE_MS = 200;

/** The pace of one stream, and its largest burst. */
export interface StreamPace {
  /** Audio ms per wall ms over the middle 80 % of the stream's wall time, divided by the speed. */
  rate: number;
  /** Most audio sent ahead of real time over any interval (ms). */
  burstMs: number;
  audioMs: number;
  wallMs: number;
}

/**
 * The pace of a stream. The rate is the least-squares slope of cumulative audio against wall
 * time over the middle 80 % of the stream's wall time, so a backlog flushed at the start (audio
 * held until `session.updated`) does not count as fast streaming, while a file pushed at 10×
 * does. The burst is max over i ≤ j of (audio of chunks i..j) − (t_j − t_i).
 */
export function streamPace(
  stream: readonly Chunk[],
  run: Pick<Trace, 'speed' | 'stalls'> = {},
): StreamPace {
  const t0 = stream[0]!.at;
  const t1 = stream[stream.length - 1]!.at;
  const wallMs = t1 - t0;
  let cumulative = 0;
  const stamped = stream.map((c) => [c.at, (cumulative += c.ms)] as [number, number]);
  const audioMs = cumulative;
  // Appends stamped in a bunch during or just after a measured stall of the runner carry the
  // wrong time (they waited for it); the audio they hold still counts in the points after them.
  const late = (i: number) =>
    i > 0 &&
    stamped[i]![0] - stamped[i - 1]![0] < wallMsOfAudio(run, stream[i]!.ms) / 2 &&
    (run.stalls ?? []).some((s) => stamped[i]![0] >= s.from && stamped[i]![0] <= s.to + SETTLE_MS);
  const points = stamped.filter((_, i) => !late(i));
  let rate: number;
  if (wallMs <= 0) {
    rate = Infinity;
  } else {
    const lo = t0 + 0.1 * wallMs;
    const hi = t0 + 0.9 * wallMs;
    const middle = points.filter(([t]) => t >= lo && t <= hi);
    // Wall times on the audio clock: a stream at the run's speed has rate 1.
    const onAudioClock = (middle.length >= 3 ? middle : points).map(
      ([t, audio]) => [audioMsOfWall(run, t), audio] as const,
    );
    rate = slope(onAudioClock);
  }
  let burstMs = 0;
  let before = 0;
  let minStart = Infinity;
  for (const c of stream) {
    const at = audioMsOfWall(run, c.at);
    minStart = Math.min(minStart, before - at);
    before += c.ms;
    burstMs = Math.max(burstMs, before - at - minStart);
  }
  return { rate, burstMs, audioMs, wallMs };
}

function rateHint(rate: number): string {
  if (Math.abs(rate - 2 / 3) < 0.05) return ' (what 16 kHz audio declared as 24 kHz looks like)';
  if (Math.abs(rate - 2) < 0.1) return ' (what 48 kHz audio declared as 24 kHz looks like)';
  if (Math.abs(rate - 1 / 3) < 0.03) return ' (what 8 kHz audio declared as 24 kHz looks like)';
  return '';
}

/**
 * The pitch check of APPEND-PACE: when the user sang a tone (an utterance with `toneHz`), the
 * pitch of the loud part of what the client appended, per connection, against the tone's.
 * A client that sends 16 kHz audio labelled 24 kHz raises it ×1.5; 48 kHz lowers it ×0.5.
 */
function pitchCheck(
  trace: Trace,
  tolerance: number,
): { finding?: string; evidence?: Evidence; note: string } | undefined {
  const sung = actionsOf(trace, 'utterance').filter((u) => u.data.toneHz !== undefined);
  if (sung.length === 0) return undefined;
  const toneHz = sung[0]!.data.toneHz!;
  const byConnection = new Map<number, Array<WireEvent<'input_audio_buffer.append'>>>();
  for (const a of wireEvents(trace, 'in', 'input_audio_buffer.append')) {
    if (a.at < sung[0]!.at) continue;
    const list = byConnection.get(a.connection) ?? [];
    byConnection.set(a.connection, list);
    list.push(a);
  }
  let best: { hz: number; first: number; samples: number } | undefined;
  for (const appends of byConnection.values()) {
    const parts: Int16Array[] = [];
    for (const a of appends) {
      const audio = a.event.audio;
      if (typeof audio === 'string' && pcm16Base64Problem(audio) === undefined)
        parts.push(base64ToPcm(audio));
    }
    const pcm = concatPcm(...parts);
    const hz = tonePitchHz(pcm);
    if (hz !== undefined && (!best || pcm.length > best.samples))
      best = { hz, first: appends[0]!.index, samples: pcm.length };
  }
  if (!best) return { note: `no ${toneHz} Hz tone found in the audio sent` };
  const ratio = best.hz / toneHz;
  const heard = `the ${toneHz} Hz tone of the microphone arrived at ${Math.round(best.hz)} Hz`;
  if (Math.abs(ratio - 1) <= tolerance) return { note: heard };
  const finding = `pitch ×${ratio.toFixed(2)}${rateHint(1 / ratio)}`;
  return { finding, evidence: frameEvidence(trace, best.first, heard), note: heard };
}

/** APPEND-PACE: live audio at real-time pace. */
export const appendPace: Rule = {
  id: 'APPEND-PACE',
  level: 'SHOULD',
  title: 'Live audio is sent at real-time pace',
  section: 'protocol §3 (audio), §7 (server VAD on the audio clock)',
  description:
    'While the client streams, it sends about one millisecond of audio per millisecond of ' +
    'wall time. Appends are split into streams at pauses of `append.streamGapMs` (a client ' +
    "that sends only speech pauses legitimately; a pause the runner's heartbeat measured it " +
    'stalled through is not one, and appends stamped in a bunch during or just after such a ' +
    "stall are left out of the slope). A stream's rate is the least-squares slope " +
    'of cumulative audio against time over the middle 80 % of the stream, so a backlog held ' +
    'until `session.updated` and flushed at once is not counted. The catalogue asks for ' +
    '≈ 1.0 over 10 s: a stream carrying at least `append.paceWindowMs` of audio must have a ' +
    'rate within 1 ± `append.paceTolerance`. Shorter streams (from `append.paceMinAudioMs`) ' +
    'are judged only for gross errors, within 1 ± `append.paceShortTolerance`: over a few ' +
    'seconds, stalls of a loaded harness move the microphone feed enough to skew the rate. A ' +
    'rate near 0.67, 2 or 0.33 is what 16, 48 or 8 kHz audio declared as 24 kHz looks like. With a run speed factor the expected rate is the speed, so rates ' +
    'are divided by it. When the runner fed the microphone, the audio sent may not exceed the ' +
    'audio fed by more than `append.micRatioMax` (plus one chunk): more is resampling with the ' +
    'wrong rate. The largest burst (audio sent ahead of real time over any interval) is ' +
    'reported. When the user sings a known tone (scenario `tone-turn`), the pitch of the loud ' +
    'part of the audio the client sent must match it within `append.pitchTolerance`: 16 kHz ' +
    'audio sent as 24 kHz raises it ×1.5, 48 kHz lowers it ×0.5, whatever the pacing. ' +
    'Real-world failure: files pushed faster than real time break server VAD timing and ' +
    'barge-in; a wrong sample rate makes the user sound slowed down or chipmunked.',
  sources: ['gradio-app/fastrtc#286'],
  needs: {},
  check(trace, context) {
    const tolerance = budget(context, 'append.paceTolerance');
    const shortTolerance = budget(context, 'append.paceShortTolerance');
    const window = budget(context, 'append.paceWindowMs');
    const minAudio = budget(context, 'append.paceMinAudioMs');
    const micRatioMax = budget(context, 'append.micRatioMax');
    const streams = appendStreams(trace, budget(context, 'append.streamGapMs'));
    const evidence: Evidence[] = [];
    const findings: string[] = [];
    let judged = 0;
    let largestBurst = 0;
    const rates: number[] = [];
    for (const stream of streams) {
      const pace = streamPace(stream, trace);
      largestBurst = Math.max(largestBurst, pace.burstMs);
      if (pace.audioMs < minAudio) continue;
      judged += 1;
      rates.push(pace.rate);
      const allowed = pace.audioMs >= window ? tolerance : shortTolerance;
      if (Math.abs(pace.rate - 1) > allowed) {
        const rate = Number.isFinite(pace.rate) ? pace.rate.toFixed(2) : 'all at once';
        findings.push(`rate ${rate}${rateHint(pace.rate)}`);
        evidence.push(
          frameEvidence(
            trace,
            stream[0]!.index,
            `stream of ${fmtMs(pace.audioMs)} of audio in ${fmtMs(pace.wallMs)}: ${rate} audio ms per wall ms`,
          ),
        );
      }
    }
    const mic = actionsOf(trace, 'mic.audio');
    const micBytes = mic.reduce((n, a) => n + (num(a.data.bytes) ?? 0), 0);
    const chunks = streams.flat();
    if (micBytes > 0 && chunks.length > 0) {
      judged += 1;
      const sentMs = chunks.reduce((n, c) => n + c.ms, 0);
      const micMs = bytesToMs(micBytes);
      const largestChunk = Math.max(...chunks.map((c) => c.ms));
      if (sentMs > micMs * micRatioMax + largestChunk) {
        findings.push(`sent ${(sentMs / micMs).toFixed(2)}× the microphone audio`);
        evidence.push(
          timeEvidence(
            mic[mic.length - 1]!.at,
            `sent ${fmtMs(sentMs)} of audio; the microphone gave the client ${fmtMs(micMs)}`,
          ),
        );
      }
    }
    const pitch = pitchCheck(trace, budget(context, 'append.pitchTolerance'));
    if (pitch) {
      judged += 1;
      if (pitch.finding) findings.push(pitch.finding);
      if (pitch.evidence) evidence.push(pitch.evidence);
    }
    if (judged === 0) return undefined;
    const burst = `largest burst ${fmtMs(largestBurst)} ahead of real time`;
    if (evidence.length === 0) {
      const r = rates.length > 0 ? `rate ${rates.map((x) => x.toFixed(2)).join(', ')}; ` : '';
      const heard = pitch ? `; ${pitch.note}` : '';
      return pass(`Audio was streamed at real-time pace (${r}${burst}${heard}).`);
    }
    return fail(
      `Audio was not streamed at real-time pace: ${findings.join('; ')} (${burst}).`,
      evidence,
    );
  },
};

/** The audio-out family, in catalogue order. */
export const AUDIO_OUT_RULES: readonly Rule[] = [appendFormat, appendSize, appendPace];
