/**
 * swaram's one audio format: PCM16, 24 kHz, mono, little-endian, base64 on the wire
 * (swaram protocol §3). 48 bytes per millisecond.
 */

/** Bytes per millisecond of PCM16 24 kHz mono. */
export const BYTES_PER_MS = 48;

/** Canonical, padded base64 without whitespace or a `data:` prefix (RFC 4648 §4). */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The outcome of {@link decodePcm16}: the bytes, or why they are not playable PCM16. */
export type DecodedPcm16 =
  { readonly ok: true; readonly pcm: Uint8Array } | { readonly ok: false; readonly reason: string };

/**
 * Decodes a base64 audio payload, refusing anything that is not strict base64 of a
 * non-empty, even number of bytes. Never throws.
 */
export function decodePcm16(base64: unknown): DecodedPcm16 {
  if (typeof base64 !== 'string') return { ok: false, reason: 'audio is not a string' };
  if (base64.length === 0) return { ok: false, reason: 'audio is empty' };
  if (!STRICT_BASE64.test(base64)) return { ok: false, reason: 'audio is not strict base64' };
  const pcm = Buffer.from(base64, 'base64');
  if (pcm.length % 2 !== 0) {
    return { ok: false, reason: `audio has an odd number of bytes (${pcm.length})` };
  }
  return { ok: true, pcm: new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength) };
}

/** Base64 of PCM16 bytes (canonical, padded). */
export function encodePcm16(pcm: Uint8Array): string {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
}

/** The number of bytes in `ms` milliseconds, rounded to whole samples (always even). */
export function msToBytes(ms: number): number {
  return Math.round((ms * BYTES_PER_MS) / 2) * 2;
}

/** The duration of `bytes` bytes, in milliseconds. */
export function bytesToMs(bytes: number): number {
  return bytes / BYTES_PER_MS;
}
