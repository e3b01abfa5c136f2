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

/** Options of {@link edgeSilenceMs}. */
export interface EdgeSilenceOptions {
  /** A frame quieter than this is silence. Default -45 dBFS. */
  thresholdDbfs?: number;
  /** Frame length in ms. Default 10. */
  frameMs?: number;
}

/**
 * How much silence `pcm` starts and ends with, measured in frames of `frameMs` against an
 * energy threshold: what an energy VAD would see. All-silent audio gives its whole duration
 * for both.
 */
export function edgeSilenceMs(
  pcm: Pcm16,
  options: EdgeSilenceOptions = {},
): { leadingMs: number; trailingMs: number } {
  const threshold = options.thresholdDbfs ?? -45;
  const frame = Math.max(1, msToSamples(options.frameMs ?? 10));
  const frames = Math.ceil(pcm.length / frame);
  const loud = (f: number): boolean =>
    rmsDbfs(pcm.subarray(f * frame, Math.min(pcm.length, (f + 1) * frame))) >= threshold;
  let first = 0;
  while (first < frames && !loud(first)) first++;
  if (first === frames) {
    const all = samplesToMs(pcm.length);
    return { leadingMs: all, trailingMs: all };
  }
  let last = frames - 1;
  while (last > first && !loud(last)) last--;
  return {
    leadingMs: samplesToMs(first * frame),
    trailingMs: samplesToMs(Math.max(0, pcm.length - (last + 1) * frame)),
  };
}
