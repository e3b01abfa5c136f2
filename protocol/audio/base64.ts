import { AudioErrorCode, AudioFormatError } from './audio-format-error.js';
import { bytesToPcm, pcmToBytes } from './pcm-bytes.js';
import type { Pcm16 } from './pcm16.js';
import { isStrictBase64 } from './strict-base64.js';

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
  return bytesToPcm(Buffer.from(base64, 'base64'), name);
}
