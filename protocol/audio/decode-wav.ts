import { readFile } from 'node:fs/promises';
import wavDecoder from 'wav-decoder';
import { AudioErrorCode, AudioFormatError } from './audio-format-error.js';
import { convertToPcm16 } from './convert-to-pcm16.js';
import { parseWavHeader } from './parse-wav-header.js';
import type { Pcm16 } from './pcm16.js';

/**
 * Decodes a WAV file's bytes into PCM16 24 kHz mono, converting when needed: channels are
 * mixed down, other sample rates resampled (see {@link convertToPcm16}), 8/24/32-bit integer
 * and 32/64-bit float samples scaled to 16 bits. A file that already is PCM16 24 kHz mono
 * comes back exactly, sample for sample.
 *
 * @param bytes the whole file.
 * @param name how to name the file in error messages (usually its path).
 * @throws AudioFormatError `wav_empty`, `wav_unreadable` or `wav_unsupported`; its message
 *   names the file, the problem and the sox command that fixes it.
 * @example const pcm = decodeWav(await readFile('user.wav'), 'user.wav');
 */
export function decodeWav(bytes: Uint8Array | ArrayBuffer, name: string): Pcm16 {
  const info = parseWavHeader(bytes, name);
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);

  // wav-decoder reads only plain tags 1 and 3, has no RIFF chunk padding, and needs "fmt "
  // before "data": hand it a canonical 44-byte header over the same samples.
  const canonical = new Uint8Array(44 + info.dataBytes);
  const view = new DataView(canonical.buffer);
  writeAscii(canonical, 0, 'RIFF');
  view.setUint32(4, 36 + info.dataBytes, true);
  writeAscii(canonical, 8, 'WAVE');
  writeAscii(canonical, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, info.formatTag, true);
  view.setUint16(22, info.channels, true);
  view.setUint32(24, info.sampleRate, true);
  view.setUint32(28, info.sampleRate * info.blockAlign, true);
  view.setUint16(32, info.blockAlign, true);
  view.setUint16(34, info.bitsPerSample, true);
  writeAscii(canonical, 36, 'data');
  view.setUint32(40, info.dataBytes, true);
  canonical.set(data.subarray(info.dataOffset, info.dataOffset + info.dataBytes), 44);

  let decoded;
  try {
    // symmetric: 16-bit k decodes to exactly k / 32768, which convertToPcm16 inverts. 8-bit
    // stays asymmetric so that its midpoint (128) decodes to exactly 0, not a DC offset.
    decoded = wavDecoder.decode.sync(canonical.buffer, { symmetric: info.bitsPerSample !== 8 });
  } catch (error) {
    throw new AudioFormatError(
      AudioErrorCode.WavUnreadable,
      `${name}: cannot decode the samples (${(error as Error).message})`,
      name,
    );
  }
  return convertToPcm16(decoded.channelData, decoded.sampleRate);
}

/**
 * Reads a WAV file and decodes it into PCM16 24 kHz mono, like {@link decodeWav}.
 *
 * @throws AudioFormatError `wav_missing` when the file does not exist, or as `decodeWav`.
 */
export async function readWav(path: string): Promise<Pcm16> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AudioFormatError(AudioErrorCode.WavMissing, `${path}: no such file`, path);
    }
    throw error;
  }
  return decodeWav(bytes, path);
}

function writeAscii(target: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) target[offset + i] = text.charCodeAt(i);
}
