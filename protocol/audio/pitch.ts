import { SAMPLE_RATE, type Pcm16 } from './pcm16.js';

/** Block length of the loudness gate, samples (10 ms at 24 kHz). */
const BLOCK = 240;

/**
 * The pitch of the loud part of `pcm`, in Hz at `sampleRate` (default 24 kHz): zero crossings
 * counted inside runs of 10 ms blocks whose RMS exceeds `minRms`, so the silence around a
 * tone does not count. Undefined when under 50 ms is loud. Made for pure tones (the runner's
 * microphone sings one); speech has no single pitch to find this way.
 *
 * @example
 * tonePitchHz(tone(440, 1000)); // ≈ 440
 */
export function tonePitchHz(
  pcm: Pcm16,
  sampleRate = SAMPLE_RATE,
  minRms = 1000,
): number | undefined {
  let crossings = 0;
  let loudSamples = 0;
  let previousLoud = false;
  for (let start = 0; start + BLOCK <= pcm.length; start += BLOCK) {
    let sum = 0;
    for (let i = start; i < start + BLOCK; i++) sum += pcm[i]! * pcm[i]!;
    const loud = Math.sqrt(sum / BLOCK) >= minRms;
    if (!loud) {
      previousLoud = false;
      continue;
    }
    // Inside a run of loud blocks the crossing at the block boundary counts too.
    for (let i = previousLoud ? start : start + 1; i < start + BLOCK; i++) {
      if (pcm[i - 1]! < 0 !== pcm[i]! < 0) crossings += 1;
    }
    loudSamples += BLOCK;
    previousLoud = true;
  }
  if (loudSamples < sampleRate / 20) return undefined;
  return crossings / 2 / (loudSamples / sampleRate);
}
