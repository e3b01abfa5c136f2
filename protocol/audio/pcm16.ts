/**
 * The one audio format swaram speaks, and all duration math about it (protocol §3).
 *
 * PCM16, 24 kHz, mono, little-endian: 2 bytes per sample, 24 samples per millisecond,
 * 48 bytes per millisecond, 4 800 bytes per 100 ms. Every other module converts through the
 * functions here, so a rounding rule changes in one place.
 */

/**
 * Signed 16-bit samples at {@link SAMPLE_RATE}, mono. In memory the samples are numbers; on
 * the wire and on disk they are little-endian bytes (see `pcmToBase64`, `encodeWav`).
 */
export type Pcm16 = Int16Array;

/** Samples per second: 24 000. */
export const SAMPLE_RATE = 24_000;

/** Bytes per sample (16-bit mono). */
export const BYTES_PER_SAMPLE = 2;

/** Samples per millisecond: 24. */
export const SAMPLES_PER_MS = SAMPLE_RATE / 1000;

/** Bytes per millisecond: 48 (so 4 800 bytes = 100 ms). */
export const BYTES_PER_MS = SAMPLES_PER_MS * BYTES_PER_SAMPLE;

/**
 * Duration in milliseconds of `byteLength` bytes of PCM16 24 kHz mono. Not rounded: 2 bytes
 * (one sample) is 1/24 ms.
 *
 * @example pcmDurationMs(4800) // 100
 */
export function pcmDurationMs(byteLength: number): number {
  return byteLength / BYTES_PER_MS;
}

/** Duration in milliseconds of `samples` samples at 24 kHz. */
export function samplesToMs(samples: number): number {
  return samples / SAMPLES_PER_MS;
}

/**
 * Whole samples in `ms` milliseconds, rounded to the nearest sample.
 *
 * @throws RangeError when `ms` is negative or not finite.
 */
export function msToSamples(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`a duration must be a finite number of ms >= 0, got ${ms}`);
  }
  return Math.round(ms * SAMPLES_PER_MS);
}

/**
 * Bytes of PCM16 24 kHz mono in `ms` milliseconds, rounded to a whole sample, so the result
 * is always even (a valid `input_audio_buffer.append` / delta length).
 *
 * @example msToBytes(100) // 4800
 * @throws RangeError when `ms` is negative or not finite.
 */
export function msToBytes(ms: number): number {
  return msToSamples(ms) * BYTES_PER_SAMPLE;
}
