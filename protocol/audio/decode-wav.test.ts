import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioFormatError } from './audio-format-error.js';
import { decodeWav, readWav } from './decode-wav.js';
import { encodeWav, writeWav } from './encode-wav.js';
import { rmsDbfs } from './energy.js';
import { parseWavHeader } from './parse-wav-header.js';

interface SynthOptions {
  sampleRate: number;
  /** One array of samples in [-1, 1] per channel. */
  channels: number[][];
  bits?: 8 | 16 | 24 | 32 | 64;
  float?: boolean;
  formatTag?: number;
  extensible?: boolean;
  /** Chunks written before "fmt " (id, bytes), e.g. an odd-sized LIST chunk. */
  before?: [string, Uint8Array][];
}

/** A WAV file built byte by byte, so the tests need no sox or encoder. */
function synthWav(o: SynthOptions): Uint8Array {
  const bits = o.bits ?? 16;
  const bytesPer = bits / 8;
  const nch = o.channels.length;
  const frames = o.channels[0]?.length ?? 0;
  const data = new DataView(new ArrayBuffer(frames * nch * bytesPer));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const x = o.channels[c]?.[i] ?? 0;
      const at = (i * nch + c) * bytesPer;
      if (o.float) {
        if (bits === 32) data.setFloat32(at, x, true);
        else data.setFloat64(at, x, true);
      } else if (bits === 8) {
        data.setUint8(at, Math.max(0, Math.min(255, Math.round(x * 128 + 128))));
      } else {
        const full = 2 ** (bits - 1);
        const v = Math.max(-full, Math.min(full - 1, Math.round(x * full)));
        if (bits === 16) data.setInt16(at, v, true);
        else if (bits === 32) data.setInt32(at, v, true);
        else {
          const u = v < 0 ? v + 2 ** 24 : v;
          data.setUint8(at, u & 0xff);
          data.setUint8(at + 1, (u >> 8) & 0xff);
          data.setUint8(at + 2, (u >> 16) & 0xff);
        }
      }
    }
  }
  const tag = o.formatTag ?? (o.float ? 3 : 1);
  const fmt = new DataView(new ArrayBuffer(o.extensible ? 40 : 16));
  fmt.setUint16(0, o.extensible ? 0xfffe : tag, true);
  fmt.setUint16(2, nch, true);
  fmt.setUint32(4, o.sampleRate, true);
  fmt.setUint32(8, o.sampleRate * nch * bytesPer, true);
  fmt.setUint16(12, nch * bytesPer, true);
  fmt.setUint16(14, bits, true);
  if (o.extensible) {
    fmt.setUint16(16, 22, true);
    fmt.setUint16(18, bits, true);
    fmt.setUint16(24, tag, true);
  }
  const chunks: [string, Uint8Array][] = [
    ...(o.before ?? []),
    ['fmt ', new Uint8Array(fmt.buffer)],
    ['data', new Uint8Array(data.buffer)],
  ];
  const parts: number[] = [];
  const pushAscii = (s: string) => {
    for (const ch of s) parts.push(ch.charCodeAt(0));
  };
  const pushU32 = (n: number) => parts.push(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
  pushAscii('RIFF');
  pushU32(0);
  pushAscii('WAVE');
  for (const [id, body] of chunks) {
    pushAscii(id);
    pushU32(body.byteLength);
    for (const byte of body) parts.push(byte);
    if (body.byteLength % 2 === 1) parts.push(0);
  }
  const out = Uint8Array.from(parts);
  new DataView(out.buffer).setUint32(4, out.byteLength - 8, true);
  return out;
}

function sine(freq: number, rate: number, seconds: number, amp = 0.5, phase = 0): number[] {
  return Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate + phase),
  );
}

function zeroCrossings(pcm: Int16Array): number {
  let n = 0;
  for (let i = 1; i < pcm.length; i++) {
    if ((pcm[i - 1]! < 0 && pcm[i]! >= 0) || (pcm[i - 1]! >= 0 && pcm[i]! < 0)) n++;
  }
  return n;
}

function expectAudioError(fn: () => unknown, code: string, ...inMessage: string[]): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AudioFormatError);
    expect((error as AudioFormatError).code).toBe(code);
    for (const text of inMessage) expect((error as Error).message).toContain(text);
    return;
  }
  expect.fail(`expected AudioFormatError ${code}`);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swaram-audio-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('24 kHz PCM16 mono round trip', () => {
  it('WAV → PCM16 → WAV is exact, including both extremes', async () => {
    const pcm = new Int16Array(24_000);
    for (let i = 0; i < pcm.length; i++) pcm[i] = ((i * 7919) % 65536) - 32768;
    pcm[0] = -32768;
    pcm[1] = 32767;
    pcm[2] = 0;
    pcm[3] = -1;
    pcm[4] = 1;
    const bytes = encodeWav(pcm);
    expect(bytes.byteLength).toBe(44 + 48_000);
    const decoded = decodeWav(bytes, 'mem.wav');
    expect(decoded).toEqual(pcm);
    expect(Buffer.compare(encodeWav(decoded), bytes)).toBe(0);

    const path = join(dir, 'round.wav');
    await writeWav(path, pcm);
    expect(await readWav(path)).toEqual(pcm);
  });

  it('writes the canonical 44-byte header', () => {
    const info = parseWavHeader(encodeWav(new Int16Array(10)), 'x.wav');
    expect(info).toMatchObject({
      encoding: 'pcm',
      channels: 1,
      sampleRate: 24_000,
      bitsPerSample: 16,
      dataOffset: 44,
      frames: 10,
    });
  });
});

describe('conversion to PCM16 24 kHz mono', () => {
  it('converts 22 050 Hz stereo: right duration, the sine keeps its frequency', () => {
    const left = sine(440, 22_050, 2);
    const right = sine(440, 22_050, 2, 0.5, 0.3);
    const pcm = decodeWav(synthWav({ sampleRate: 22_050, channels: [left, right] }), 's.wav');
    expect(Math.abs(pcm.length - 48_000)).toBeLessThanOrEqual(1);
    // 440 Hz crosses zero 880 times a second.
    expect(zeroCrossings(pcm)).toBeGreaterThan(1760 * 0.98);
    expect(zeroCrossings(pcm)).toBeLessThan(1760 * 1.02);
    // Two 0.5 sines 0.3 rad apart mix to a sine of 0.5·cos(0.15): about -9.1 dBFS RMS.
    expect(rmsDbfs(pcm.subarray(2400, -2400))).toBeCloseTo(-9.1, 0);
  });

  it('mixes channels down by averaging them', () => {
    const pcm = decodeWav(
      synthWav({
        sampleRate: 24_000,
        channels: [
          [0.5, -0.25, 1 - 2 ** -15],
          [0, 0.25, 0],
        ],
      }),
      'st.wav',
    );
    expect(Array.from(pcm)).toEqual([8192, 0, 16384]);
  });

  it('downsamples 48 kHz without aliasing', () => {
    const inBand = decodeWav(
      synthWav({ sampleRate: 48_000, channels: [sine(1000, 48_000, 1)] }),
      'a',
    );
    expect(inBand.length).toBe(24_000);
    expect(zeroCrossings(inBand)).toBeGreaterThan(1990);
    expect(zeroCrossings(inBand)).toBeLessThan(2010);
    expect(rmsDbfs(inBand.subarray(1200, -1200))).toBeCloseTo(-9.0, 0);
    // 15 kHz is above the 12 kHz Nyquist of 24 kHz: it must be filtered, not folded to 9 kHz.
    const outBand = decodeWav(
      synthWav({ sampleRate: 48_000, channels: [sine(15_000, 48_000, 1)] }),
      'b',
    );
    expect(rmsDbfs(outBand.subarray(1200, -1200))).toBeLessThan(-40);
  });

  it('upsamples 16 kHz with the right duration', () => {
    const pcm = decodeWav(
      synthWav({ sampleRate: 16_000, channels: [sine(300, 16_000, 1.5)] }),
      'u',
    );
    expect(pcm.length).toBe(36_000);
    expect(Math.abs(zeroCrossings(pcm) - 900)).toBeLessThanOrEqual(3);
  });

  it.each([
    ['8-bit', { bits: 8 as const }],
    ['24-bit', { bits: 24 as const }],
    ['32-bit integer', { bits: 32 as const }],
    ['32-bit float', { bits: 32 as const, float: true }],
    ['64-bit float', { bits: 64 as const, float: true }],
    ['WAVE_FORMAT_EXTENSIBLE 24-bit', { bits: 24 as const, extensible: true }],
  ])('reads %s samples', (_label, options) => {
    const pcm = decodeWav(
      synthWav({ sampleRate: 24_000, channels: [[0, 0.5, -0.5, 0.25]], ...options }),
      'f.wav',
    );
    const tolerance = options.bits === 8 ? 256 : 1;
    const expected = [0, 16384, -16384, 8192];
    pcm.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(tolerance));
  });

  it('skips other chunks, odd-sized ones included', () => {
    const pcm = decodeWav(
      synthWav({
        sampleRate: 24_000,
        channels: [[0.5, -0.5]],
        before: [['LIST', Uint8Array.from([1, 2, 3])]],
      }),
      'list.wav',
    );
    expect(Array.from(pcm)).toEqual([16384, -16384]);
  });
});

describe('refusals', () => {
  it('refuses a file that is not a WAV, naming it and the fix', () => {
    expectAudioError(
      () => decodeWav(Buffer.from('hello, this is text not audio'), 'notes.txt'),
      'wav_unreadable',
      'notes.txt',
      'not a WAV file',
      'sox "notes.txt" -r 24000 -c 1 -b 16 -e signed-integer "notes-24k.wav"',
    );
    expectAudioError(
      () => decodeWav(Buffer.from('ID3\x03rest'), 'song.mp3'),
      'wav_unreadable',
      'MP3',
    );
  });

  it('refuses an empty file and a WAV without samples', () => {
    expectAudioError(
      () => decodeWav(new Uint8Array(0), 'empty.wav'),
      'wav_empty',
      'empty.wav',
      '0 bytes',
    );
    expectAudioError(
      () => decodeWav(synthWav({ sampleRate: 24_000, channels: [[]] }), 'nothing.wav'),
      'wav_empty',
      'nothing.wav',
    );
  });

  it('refuses compressed and odd encodings', () => {
    expectAudioError(
      () =>
        decodeWav(
          synthWav({ sampleRate: 8000, channels: [[0, 0]], bits: 8, formatTag: 7 }),
          'u.wav',
        ),
      'wav_unsupported',
      'u.wav',
      'µ-law',
    );
    const twelve = synthWav({ sampleRate: 24_000, channels: [[0, 0]] });
    new DataView(twelve.buffer).setUint16(34, 12, true);
    expectAudioError(() => decodeWav(twelve, 'twelve.wav'), 'wav_unsupported', '12-bit');
    const rifx = synthWav({ sampleRate: 24_000, channels: [[0]] });
    rifx.set([0x52, 0x49, 0x46, 0x58], 0);
    expectAudioError(() => decodeWav(rifx, 'be.wav'), 'wav_unsupported', 'big-endian');
  });

  it('refuses a header cut before the data chunk', () => {
    const whole = synthWav({ sampleRate: 24_000, channels: [[0.1, 0.2]] });
    expectAudioError(
      () => decodeWav(whole.subarray(0, 30), 'cut.wav'),
      'wav_unreadable',
      'cut.wav',
    );
  });

  it('reads a file whose data chunk is cut short, keeping the whole samples', () => {
    const whole = synthWav({ sampleRate: 24_000, channels: [[0.5, 0.5, 0.5]] });
    expect(decodeWav(whole.subarray(0, whole.byteLength - 3), 'short.wav')).toHaveLength(1);
  });

  it('names a missing file', async () => {
    await expect(readWav(join(dir, 'nope.wav'))).rejects.toMatchObject({
      code: 'wav_missing',
      message: expect.stringContaining('nope.wav'),
    });
  });

  it('reads a non-WAV file from disk with its path in the message', async () => {
    const path = join(dir, 'readme.wav');
    await writeFile(path, 'not audio');
    await expect(readWav(path)).rejects.toMatchObject({
      code: 'wav_unreadable',
      message: expect.stringContaining(path),
    });
  });
});
