import { AudioErrorCode, AudioFormatError } from './audio-format-error.js';
import { bytesToPcm, pcmToBytes } from './pcm-bytes.js';
import type { Pcm16 } from './pcm16.js';

// RFC 4648 base64 with padding, no whitespace, no data: prefix (what swaram sends and
// expects in `audio` / `delta`).
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Base64 of the little-endian bytes of `pcm`: the `audio` of `input_audio_buffer.append` and
 * the `delta` of `response.output_audio.delta`.
 */
export function pcmToBase64(pcm: Pcm16): string {
  const bytes = pcmToBytes(pcm);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Samples from base64 PCM16 little-endian. Strict: Node's own decoder skips characters it
 * does not know, which would turn a corrupt payload into noise.
 *
 * @param name how to name the source in an error message.
 * @throws AudioFormatError `invalid_base64` or `pcm_odd_length`.
 */
export function base64ToPcm(base64: string, name = 'base64 audio'): Pcm16 {
  if (!STRICT_BASE64.test(base64)) {
    throw new AudioFormatError(
      AudioErrorCode.InvalidBase64,
      `${name}: not strict base64 (RFC 4648 alphabet, "=" padding, no whitespace or data: prefix)`,
    );
  }
  return bytesToPcm(Buffer.from(base64, 'base64'), name);
}
