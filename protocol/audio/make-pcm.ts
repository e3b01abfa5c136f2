import { msToSamples, SAMPLE_RATE, type Pcm16 } from './pcm16.js';

/** `ms` milliseconds of digital silence. */
export function silence(ms: number): Pcm16 {
  return new Int16Array(msToSamples(ms));
}

/**
 * A sine tone of `frequencyHz` lasting `ms`, peaking at `peakDbfs` (default -6 dBFS). A known
 * tone lets a test check that audio kept its rate and pace end to end.
 */
export function tone(frequencyHz: number, ms: number, peakDbfs = -6): Pcm16 {
  const out = new Int16Array(msToSamples(ms));
  const amplitude = 32767 * 10 ** (peakDbfs / 20);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / SAMPLE_RATE));
  }
  return out;
}

/** One buffer holding `parts` one after the other. */
export function concatPcm(...parts: Pcm16[]): Pcm16 {
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
