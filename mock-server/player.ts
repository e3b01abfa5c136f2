import { BYTES_PER_MS, pcmToBase64 } from '../protocol/audio/index.js';

/** One assistant response of a fixture, as the player needs it. */
export interface ReplySource {
  pcm?: Int16Array | undefined;
  transcript?: string | undefined;
  timing?:
    | {
        firstDeltaMs?: number | undefined;
        chunkMs?: number | undefined;
        rate?: number | undefined;
        deltas?: ReadonlyArray<{ atMs: number; bytes: number }> | undefined;
      }
    | undefined;
}

/** One delta of a planned reply, `atMs` after `response.created`, in fixture time. */
export type PlanStep =
  | { atMs: number; kind: 'audio'; delta: string; bytes: number }
  | { atMs: number; kind: 'transcript'; delta: string };

/** A reply laid out in time: the deltas to send and when the reply is complete. */
export interface ReplyPlan {
  readonly steps: readonly PlanStep[];
  /** When generation ends (the tool call or `response.done`), in fixture time. */
  readonly endMs: number;
  readonly audioBytes: number;
  readonly transcript: string;
}

export const PLAYER_DEFAULTS = { firstDeltaMs: 200, chunkMs: 100, rate: 1 } as const;

const cache = new WeakMap<ReplySource, ReplyPlan>();

/**
 * Lays out a reply as audio and transcript deltas in time.
 *
 * Audio goes out in `chunkMs` chunks, the first `firstDeltaMs` after `response.created`, the
 * next every `chunkMs / rate` (rate 1 is real time; a real TTS often runs faster than real
 * time, which is what makes "audio still playing after `response.done`" happen). A recorded
 * timeline (`timing.deltas`) replaces this layout. Transcript words are spread over the
 * audio in proportion to their length, each sent with the chunk where it starts, so the two
 * streams stay in step.
 *
 * Plans are computed once per reply and shared by every session that plays it: base64 is
 * encoded once, not once per session.
 */
export function planReply(reply: ReplySource): ReplyPlan {
  const cached = cache.get(reply);
  if (cached) return cached;
  const plan = buildPlan(reply);
  cache.set(reply, plan);
  return plan;
}

function buildPlan(reply: ReplySource): ReplyPlan {
  const firstDeltaMs = reply.timing?.firstDeltaMs ?? PLAYER_DEFAULTS.firstDeltaMs;
  const chunkMs = reply.timing?.chunkMs ?? PLAYER_DEFAULTS.chunkMs;
  const rate = reply.timing?.rate ?? PLAYER_DEFAULTS.rate;
  const pcm = reply.pcm ?? new Int16Array(0);
  const transcript = reply.transcript ?? '';

  const audio: Array<{ atMs: number; startSample: number; endSample: number }> = [];
  const chunkSamples = Math.max(1, Math.round((chunkMs * BYTES_PER_MS) / 2));
  const recorded = reply.timing?.deltas;
  if (recorded && recorded.length > 0) {
    let sample = 0;
    for (const d of recorded) {
      const end = Math.min(pcm.length, sample + Math.floor(d.bytes / 2));
      if (end > sample) audio.push({ atMs: d.atMs, startSample: sample, endSample: end });
      sample = end;
    }
  } else {
    for (let k = 0, s = 0; s < pcm.length; k++, s += chunkSamples) {
      audio.push({
        atMs: firstDeltaMs + (k * chunkMs) / rate,
        startSample: s,
        endSample: Math.min(pcm.length, s + chunkSamples),
      });
    }
  }

  const steps: PlanStep[] = [];
  const words = transcript.match(/\S+\s*/gu) ?? [];
  const totalChars = words.reduce((n, w) => n + w.length, 0);
  let word = 0;
  let charsBefore = 0;
  for (const chunk of audio) {
    const view = pcm.subarray(chunk.startSample, chunk.endSample);
    steps.push({
      atMs: chunk.atMs,
      kind: 'audio',
      delta: pcmToBase64(view),
      bytes: view.length * 2,
    });
    // Words whose start falls inside this chunk's share of the audio go out with it.
    const chunkEndShare = chunk.endSample / Math.max(1, pcm.length);
    while (word < words.length && charsBefore / Math.max(1, totalChars) < chunkEndShare) {
      steps.push({ atMs: chunk.atMs, kind: 'transcript', delta: words[word]! });
      charsBefore += words[word]!.length;
      word += 1;
    }
  }
  const lastAudioMs = audio.length > 0 ? audio[audio.length - 1]!.atMs : firstDeltaMs;
  // A reply with text but no audio: words go out one per chunk interval.
  for (let k = 0; word < words.length; k++, word++) {
    steps.push({
      atMs: lastAudioMs + (k * chunkMs) / rate,
      kind: 'transcript',
      delta: words[word]!,
    });
  }
  const endMs = steps.length > 0 ? steps[steps.length - 1]!.atMs : firstDeltaMs;
  return Object.freeze({
    steps: Object.freeze(steps),
    endMs,
    audioBytes: pcm.length * 2,
    transcript,
  });
}
