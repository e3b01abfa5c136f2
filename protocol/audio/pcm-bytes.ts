import { AudioErrorCode, AudioFormatError } from './audio-format-error.js';
import type { Pcm16 } from './pcm16.js';

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The little-endian bytes of `pcm`, as sent on the wire and stored in WAV files. On a
 * little-endian host this is a view over the same memory (no copy); do not write to it.
 */
export function pcmToBytes(pcm: Pcm16): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const out = new Uint8Array(pcm.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i] ?? 0, true);
  return out;
}

/**
 * Samples from little-endian PCM16 bytes. Always copies, so the result is aligned and owned
 * by the caller whatever `bytes` views (a pooled Buffer may start at an odd offset).
 *
 * @param name how to name the source in an error message.
 * @throws AudioFormatError `pcm_odd_length` when the byte count is odd.
 */
export function bytesToPcm(bytes: Uint8Array, name = 'PCM16 audio'): Pcm16 {
  if (bytes.byteLength % 2 !== 0) {
    throw new AudioFormatError(
      AudioErrorCode.PcmOddLength,
      `${name}: ${bytes.byteLength} bytes is not a whole number of 16-bit samples (odd length)`,
    );
  }
  const out = new Int16Array(bytes.byteLength / 2);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  }
  return out;
}
