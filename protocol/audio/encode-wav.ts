import { writeFile } from 'node:fs/promises';
import { pcmToBytes } from './pcm-bytes.js';
import { BYTES_PER_SAMPLE, SAMPLE_RATE, type Pcm16 } from './pcm16.js';

/** Bytes in the canonical WAV header written by {@link encodeWav}. */
export const WAV_HEADER_BYTES = 44;

/**
 * A WAV file (44-byte canonical header, PCM16 24 kHz mono) holding `pcm` unchanged: the
 * samples are copied as they are, never rescaled, so `decodeWav(encodeWav(pcm))` equals
 * `pcm`.
 */
export function encodeWav(pcm: Pcm16): Buffer {
  const dataBytes = pcm.length * BYTES_PER_SAMPLE;
  const out = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(SAMPLE_RATE, 24);
  out.writeUInt32LE(SAMPLE_RATE * BYTES_PER_SAMPLE, 28); // byte rate
  out.writeUInt16LE(BYTES_PER_SAMPLE, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  out.set(pcmToBytes(pcm), WAV_HEADER_BYTES);
  return out;
}

/** Writes `pcm` to `path` as a PCM16 24 kHz mono WAV (see {@link encodeWav}). */
export async function writeWav(path: string, pcm: Pcm16): Promise<void> {
  await writeFile(path, encodeWav(pcm));
}
