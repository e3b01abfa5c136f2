/**
 * Audio for swaram: PCM16, 24 kHz, mono, little-endian, base64 on the wire (protocol §3).
 * WAV in and out, conversion from other WAV formats, chunking, and all duration math.
 */
export {
  BYTES_PER_MS,
  BYTES_PER_SAMPLE,
  SAMPLE_RATE,
  SAMPLES_PER_MS,
  msToBytes,
  msToSamples,
  pcmDurationMs,
  samplesToMs,
  type Pcm16,
} from './pcm16.js';
export { AudioErrorCode, AudioFormatError } from './audio-format-error.js';
export { parseWavHeader, type WavInfo } from './parse-wav-header.js';
export { decodeWav, readWav } from './decode-wav.js';
export { encodeWav, writeWav, WAV_HEADER_BYTES } from './encode-wav.js';
export { convertToPcm16 } from './convert-to-pcm16.js';
export { bytesToPcm, pcmToBytes } from './pcm-bytes.js';
export { base64ToPcm, checkedBase64ToPcm, pcmToBase64, ReusedPcmDecoder } from './base64.js';
export { chunkPcm } from './chunk-pcm.js';
export { concatPcm, silence, tone } from './make-pcm.js';
export { measureSilence, rmsDbfs, type SilenceMeasure, type SilenceOptions } from './energy.js';
export { soxConvertCommand } from './sox-convert-command.js';
