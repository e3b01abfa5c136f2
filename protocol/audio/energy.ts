import { msToSamples, samplesToMs, type Pcm16 } from './pcm16.js';

/**
 * Loudness of `pcm` as RMS in dBFS, where a full-scale square wave is 0 dBFS (a full-scale
 * sine is about -3 dBFS). Digital silence and empty audio give `-Infinity`. Speech is
 * typically -30 to -15 dBFS; the mock's VAD threshold is around -45 dBFS.
 */
export function rmsDbfs(pcm: Pcm16): number {
  if (pcm.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) {
    const s = pcm[i] ?? 0;
    sum += s * s;
  }
  return 10 * Math.log10(sum / pcm.length / (32768 * 32768));
}

/** Options of {@link measureSilence}. */
export interface SilenceOptions {
  /** A frame quieter than this is silence. Default -45 dBFS (the mock's VAD threshold). */
  thresholdDbfs?: number;
  /** Frame length in ms. Default 10. */
  frameMs?: number;
}

/** Where `pcm` is silent, as an energy VAD would see it. */
export interface SilenceMeasure {
  /** Silence before the first loud frame. */
  readonly leadingMs: number;
  /** Silence after the last loud frame. */
  readonly trailingMs: number;
  /** The longest silent run between the first and last loud frames (0 when none). */
  readonly longestPauseMs: number;
}

/**
 * Measures silence in `pcm` frame by frame against an energy threshold: what an energy VAD
 * sees. A user utterance meant as one turn needs `longestPauseMs` under the VAD's silence
 * duration (500 ms in the mock) and `trailingMs` above it. All-silent audio gives its whole
 * duration as leading and trailing silence.
 */
export function measureSilence(pcm: Pcm16, options: SilenceOptions = {}): SilenceMeasure {
  const threshold = options.thresholdDbfs ?? -45;
  const frame = Math.max(1, msToSamples(options.frameMs ?? 10));
  const frames = Math.ceil(pcm.length / frame);
  const loud: boolean[] = [];
  for (let f = 0; f < frames; f++) {
    loud.push(rmsDbfs(pcm.subarray(f * frame, Math.min(pcm.length, (f + 1) * frame))) >= threshold);
  }
  const first = loud.indexOf(true);
  if (first === -1) {
    const all = samplesToMs(pcm.length);
    return { leadingMs: all, trailingMs: all, longestPauseMs: 0 };
  }
  const last = loud.lastIndexOf(true);
  let run = 0;
  let longest = 0;
  for (let f = first; f <= last; f++) {
    run = loud[f] === true ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return {
    leadingMs: samplesToMs(first * frame),
    trailingMs: samplesToMs(Math.max(0, pcm.length - (last + 1) * frame)),
    longestPauseMs: samplesToMs(longest * frame),
  };
}
