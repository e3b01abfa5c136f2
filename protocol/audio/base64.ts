import { AudioErrorCode, AudioFormatError } from './audio-format-error.js';
import { bytesToPcm, HOST_IS_LITTLE_ENDIAN, pcmToBytes } from './pcm-bytes.js';
import type { Pcm16 } from './pcm16.js';
import { decodedBase64Length, isStrictBase64 } from './strict-base64.js';

/**
 * Base64 of the little-endian bytes of `pcm`: the `audio` of `input_audio_buffer.append` and
 * the `delta` of `response.output_audio.delta`.
 */
export function pcmToBase64(pcm: Pcm16): string {
  const bytes = pcmToBytes(pcm);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Samples from base64 PCM16 little-endian. Strict (RFC 4648 alphabet, `=` padding, canonical,
 * no whitespace): Node's own decoder skips characters it does not know, which would turn a
 * corrupt payload into noise. The check is linear in the length (see `isStrictBase64`), so
 * megabytes of audio are fine.
 *
 * @param name how to name the source in an error message.
 * @throws AudioFormatError `invalid_base64` or `pcm_odd_length`.
 */
export function base64ToPcm(base64: string, name = 'base64 audio'): Pcm16 {
  if (!isStrictBase64(base64)) {
    throw new AudioFormatError(
      AudioErrorCode.InvalidBase64,
      `${name}: not strict base64 (RFC 4648 alphabet, "=" padding, no whitespace or data: prefix)`,
    );
  }
  return checkedBase64ToPcm(base64, name);
}

/**
 * Samples from base64 PCM16 that was already found strict (by `isStrictBase64`, or by the
 * codec, which checks every `audio` and `delta`): decodes without checking it again.
 *
 * @throws AudioFormatError `pcm_odd_length`.
 */
export function checkedBase64ToPcm(base64: string, name = 'base64 audio'): Pcm16 {
  if (!HOST_IS_LITTLE_ENDIAN) return bytesToPcm(Buffer.from(base64, 'base64'), name);
  const bytes = decodedBase64Length(base64);
  if (bytes % 2 !== 0) return bytesToPcm(Buffer.from(base64, 'base64'), name); // throws
  // Straight into the samples' memory: no intermediate Buffer, no copy.
  const out = new Int16Array(bytes / 2);
  Buffer.from(out.buffer, 0, bytes).write(base64, 0, 'base64');
  return out;
}

/**
 * Decodes already-checked base64 PCM16 (see {@link checkedBase64ToPcm}) into one buffer it
 * reuses: for a hot path that consumes the samples at once, such as the mock's VAD (one
 * decode per `input_audio_buffer.append`, no allocation). A trailing odd byte is dropped.
 *
 * @example
 * const decoder = new ReusedPcmDecoder();
 * vad.push(decoder.decode(event.audio)); // valid until the next decode()
 */
export class ReusedPcmDecoder {
  private samples = new Int16Array(4800);
  private bytes = Buffer.from(this.samples.buffer);

  /** The samples, as a view valid until the next call. */
  decode(base64: string): Pcm16 {
    const count = Math.floor(decodedBase64Length(base64) / 2);
    if (!HOST_IS_LITTLE_ENDIAN) return checkedBase64ToPcm(base64).subarray(0, count);
    if (this.samples.length < count) {
      this.samples = new Int16Array(count);
      this.bytes = Buffer.from(this.samples.buffer);
    }
    const written = this.bytes.write(base64, 0, 'base64');
    return this.samples.subarray(0, Math.min(count, written >> 1));
  }
}
