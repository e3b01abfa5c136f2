/**
 * Why audio was refused. Stable strings: match on `error.code`, not on the message.
 *
 * - `wav_missing`: the file does not exist.
 * - `wav_empty`: the file is empty, or its data chunk holds no sample.
 * - `wav_unreadable`: not a RIFF/WAVE file, or its header is truncated or inconsistent.
 * - `wav_unsupported`: a real WAV in an encoding we do not convert (compressed, odd bit
 *   depth, big-endian RIFX, implausible sample rate).
 * - `invalid_base64`: text that is not strict base64 (RFC 4648, padded, no whitespace).
 * - `pcm_odd_length`: PCM16 bytes whose count is odd (half a sample).
 */
export const AudioErrorCode = {
  WavMissing: 'wav_missing',
  WavEmpty: 'wav_empty',
  WavUnreadable: 'wav_unreadable',
  WavUnsupported: 'wav_unsupported',
  InvalidBase64: 'invalid_base64',
  PcmOddLength: 'pcm_odd_length',
} as const;

/** One of the {@link AudioErrorCode} values. */
export type AudioErrorCode = (typeof AudioErrorCode)[keyof typeof AudioErrorCode];

/**
 * Audio that cannot be used as PCM16 24 kHz mono. The message names the file (when there is
 * one), what is wrong, and what to do about it.
 */
export class AudioFormatError extends Error {
  override readonly name = 'AudioFormatError';

  constructor(
    /** Stable reason, see {@link AudioErrorCode}. */
    readonly code: AudioErrorCode,
    message: string,
    /** The file (or other source name) the audio came from, when known. */
    readonly file?: string,
  ) {
    super(message);
  }
}
