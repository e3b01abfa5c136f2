import { AudioErrorCode, AudioFormatError } from './audio-format-error.js';
import { soxConvertCommand } from './sox-convert-command.js';

/** What a WAV file's header says about its samples. */
export interface WavInfo {
  /** `pcm` for integer samples (format tag 1), `float` for IEEE float (tag 3). */
  readonly encoding: 'pcm' | 'float';
  /** The format tag after resolving WAVE_FORMAT_EXTENSIBLE (0xFFFE) to its sub-format. */
  readonly formatTag: number;
  /** True when the header used WAVE_FORMAT_EXTENSIBLE. */
  readonly extensible: boolean;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  /** Bytes per frame (one sample of every channel). */
  readonly blockAlign: number;
  /** Byte offset of the first sample in the file. */
  readonly dataOffset: number;
  /** Bytes of whole frames in the data chunk (a truncated last frame is dropped). */
  readonly dataBytes: number;
  /** Samples per channel. */
  readonly frames: number;
  /** `frames / sampleRate` in milliseconds. */
  readonly durationMs: number;
}

/** A few format tags by name, so a refusal can say what the file really is. */
const FORMAT_NAMES: Readonly<Record<number, string>> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MPEG Layer 3',
};

const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 768_000;

/**
 * Reads a WAV header (RIFF/WAVE, any chunk order, odd-sized chunks padded as RIFF requires,
 * WAVE_FORMAT_EXTENSIBLE) without decoding samples.
 *
 * Accepts integer PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64 bits, any channel
 * count and sample rate from 1 kHz to 768 kHz. Everything else is refused.
 *
 * @param bytes the whole file.
 * @param name how to name the file in error messages (usually its path).
 * @throws AudioFormatError `wav_empty`, `wav_unreadable` or `wav_unsupported`.
 */
export function parseWavHeader(bytes: Uint8Array | ArrayBuffer, name: string): WavInfo {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const hint = `convert it with: ${soxConvertCommand(name)}`;
  // Annotated so that TypeScript narrows after a call (control flow needs an explicit type).
  const fail: (code: AudioErrorCode, what: string) => never = (code, what) => {
    throw new AudioFormatError(code, `${name}: ${what}`, name);
  };

  if (data.byteLength === 0) {
    fail(AudioErrorCode.WavEmpty, 'the file is empty (0 bytes); record or export a WAV again');
  }
  const magic = ascii(data, 0, 4);
  if (data.byteLength < 12 || magic !== 'RIFF' || ascii(data, 8, 4) !== 'WAVE') {
    if (magic === 'RIFX' || magic === 'RF64') {
      fail(
        AudioErrorCode.WavUnsupported,
        `${magic} (${magic === 'RIFX' ? 'big-endian' : '64-bit'}) WAV files are not supported; ${hint}`,
      );
    }
    fail(
      AudioErrorCode.WavUnreadable,
      `not a WAV file (${sniff(data)}); expected a RIFF/WAVE file, ${hint}`,
    );
  }

  let fmt: { offset: number; size: number } | undefined;
  let chunkData: { offset: number; size: number } | undefined;
  let pos = 12;
  while (pos + 8 <= data.byteLength) {
    const id = ascii(data, pos, 4);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ' && fmt === undefined) fmt = { offset: body, size };
    if (id === 'data' && chunkData === undefined) {
      // Streaming writers leave the size at 0xFFFFFFFF; a cut file is shorter than announced.
      // Either way the samples end where the file ends.
      chunkData = { offset: body, size: Math.min(size, data.byteLength - body) };
    }
    if (fmt !== undefined && chunkData !== undefined) break;
    pos = body + size + (size % 2);
  }

  if (fmt === undefined) {
    fail(AudioErrorCode.WavUnreadable, `no "fmt " chunk (the header is truncated or damaged)`);
  }
  if (fmt.size < 16 || fmt.offset + 16 > data.byteLength) {
    fail(AudioErrorCode.WavUnreadable, `the "fmt " chunk is truncated (${fmt.size} bytes)`);
  }
  if (chunkData === undefined) {
    fail(AudioErrorCode.WavUnreadable, 'no "data" chunk (the file holds no audio or is cut)');
  }

  const o = fmt.offset;
  let formatTag = view.getUint16(o, true);
  const channels = view.getUint16(o + 2, true);
  const sampleRate = view.getUint32(o + 4, true);
  const bitsPerSample = view.getUint16(o + 14, true);
  const extensible = formatTag === 0xfffe;
  if (extensible) {
    if (fmt.size < 40 || o + 26 > data.byteLength) {
      fail(AudioErrorCode.WavUnreadable, 'WAVE_FORMAT_EXTENSIBLE header is truncated');
    }
    // The sub-format GUID starts with the plain format tag.
    formatTag = view.getUint16(o + 24, true);
  }

  const encoding = formatTag === 1 ? 'pcm' : formatTag === 3 ? 'float' : undefined;
  if (encoding === undefined) {
    const known = FORMAT_NAMES[formatTag];
    fail(
      AudioErrorCode.WavUnsupported,
      `compressed or unknown encoding (format 0x${formatTag.toString(16).padStart(4, '0')}` +
        `${known === undefined ? '' : `, ${known}`}); only PCM and IEEE float WAVs are read, ${hint}`,
    );
  }
  const okBits = encoding === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bitsPerSample)) {
    fail(
      AudioErrorCode.WavUnsupported,
      `${bitsPerSample}-bit ${encoding === 'pcm' ? 'integer' : 'float'} samples are not supported ` +
        `(use ${okBits.join(', ')}-bit); ${hint}`,
    );
  }
  if (channels === 0) fail(AudioErrorCode.WavUnreadable, 'the header says 0 channels');
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    fail(
      AudioErrorCode.WavUnsupported,
      `implausible sample rate ${sampleRate} Hz (expected ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE}); ${hint}`,
    );
  }

  // Trust the bit depth over a wrong block align written by sloppy encoders.
  const blockAlign = channels * (bitsPerSample / 8);
  const frames = Math.floor(chunkData.size / blockAlign);
  if (frames === 0) {
    fail(AudioErrorCode.WavEmpty, 'the data chunk holds no samples; record or export it again');
  }
  return {
    encoding,
    formatTag,
    extensible,
    channels,
    sampleRate,
    bitsPerSample,
    blockAlign,
    dataOffset: chunkData.offset,
    dataBytes: frames * blockAlign,
    frames,
    durationMs: (frames / sampleRate) * 1000,
  };
}

function ascii(data: Uint8Array, start: number, length: number): string {
  let out = '';
  for (let i = start; i < start + length && i < data.byteLength; i++) {
    out += String.fromCharCode(data[i] ?? 0);
  }
  return out;
}

/** Names common non-WAV formats by their magic bytes, for a message that helps. */
function sniff(data: Uint8Array): string {
  const head = ascii(data, 0, 4);
  if (head === 'OggS') return 'it looks like Ogg (Vorbis/Opus)';
  if (head === 'fLaC') return 'it looks like FLAC';
  if (head.startsWith('ID3') || (data[0] === 0xff && ((data[1] ?? 0) & 0xe0) === 0xe0)) {
    return 'it looks like MP3';
  }
  if (ascii(data, 4, 4) === 'ftyp') return 'it looks like MP4/M4A';
  if (data.byteLength < 12) return `only ${data.byteLength} bytes`;
  return `it starts with ${JSON.stringify(head)}`;
}
