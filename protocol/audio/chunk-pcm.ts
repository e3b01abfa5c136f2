import { pcmToBase64 } from './base64.js';
import { msToSamples, type Pcm16 } from './pcm16.js';

/**
 * Splits `pcm` into base64 chunks of `chunkMs` milliseconds each (rounded to whole samples,
 * so every chunk has an even byte count); the last chunk may be shorter. Empty audio gives
 * no chunk.
 *
 * @example chunkPcm(silence(250), 100).length // 3 (100 + 100 + 50 ms)
 * @throws RangeError when `chunkMs` is under one sample (1/24 ms) or not finite.
 */
export function chunkPcm(pcm: Pcm16, chunkMs: number): string[] {
  const samples = msToSamples(chunkMs);
  if (samples < 1) throw new RangeError(`chunkMs must be at least 1/24 ms, got ${chunkMs}`);
  const chunks: string[] = [];
  for (let start = 0; start < pcm.length; start += samples) {
    chunks.push(pcmToBase64(pcm.subarray(start, start + samples)));
  }
  return chunks;
}
