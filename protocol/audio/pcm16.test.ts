import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AudioFormatError } from './audio-format-error.js';
import { base64ToPcm, pcmToBase64, ReusedPcmDecoder } from './base64.js';
import { chunkPcm } from './chunk-pcm.js';
import { measureSilence, rmsDbfs } from './energy.js';
import { concatPcm, silence, tone } from './make-pcm.js';
import { bytesToPcm } from './pcm-bytes.js';
import { BYTES_PER_MS, msToBytes, pcmDurationMs, SAMPLE_RATE, samplesToMs } from './pcm16.js';

describe('duration math', () => {
  it('uses 48 bytes per ms', () => {
    expect(SAMPLE_RATE).toBe(24_000);
    expect(BYTES_PER_MS).toBe(48);
    expect(msToBytes(100)).toBe(4800);
    expect(pcmDurationMs(48_000)).toBe(1000);
    expect(samplesToMs(24)).toBe(1);
  });

  it('msToBytes is always even and within half a sample', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), (ms) => {
        const bytes = msToBytes(ms);
        expect(bytes % 2).toBe(0);
        expect(Math.abs(pcmDurationMs(bytes) - ms)).toBeLessThanOrEqual(1 / 48 + 1e-9);
      }),
    );
  });

  it('refuses negative and non-finite durations', () => {
    expect(() => msToBytes(-1)).toThrow(RangeError);
    expect(() => msToBytes(Number.NaN)).toThrow(RangeError);
  });
});

describe('base64', () => {
  it('round-trips any samples', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 })), (values) => {
        const pcm = Int16Array.from(values);
        expect(base64ToPcm(pcmToBase64(pcm))).toEqual(pcm);
      }),
    );
  });

  it('decodes into a reused buffer: each view right until the next decode, growing as needed', () => {
    const decoder = new ReusedPcmDecoder();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 6000 }),
        (values) => {
          const pcm = Int16Array.from(values);
          expect(decoder.decode(pcmToBase64(pcm))).toEqual(pcm);
        },
      ),
    );
    const first = decoder.decode(pcmToBase64(Int16Array.from([7, 8, 9])));
    decoder.decode(pcmToBase64(Int16Array.from([1])));
    // The same memory: a caller keeping samples must copy them.
    expect(first[0]).toBe(1);
  });

  it('writes little-endian bytes', () => {
    expect(pcmToBase64(Int16Array.from([1, -2]))).toBe(
      Buffer.from([1, 0, 0xfe, 0xff]).toString('base64'),
    );
  });

  it('encodes a subarray, not its whole buffer', () => {
    const pcm = Int16Array.from([1, 2, 3, 4]);
    expect(base64ToPcm(pcmToBase64(pcm.subarray(1, 3)))).toEqual(Int16Array.from([2, 3]));
  });

  it('refuses loose base64 and odd byte counts', () => {
    for (const bad of ['AAA', 'AA AA', 'data:audio/pcm;base64,AAAA', 'AA==AA==', '!!!!']) {
      expect(() => base64ToPcm(bad)).toThrow(expect.objectContaining({ code: 'invalid_base64' }));
    }
    // 'AAAA' is 3 bytes: one and a half samples.
    expect(() => base64ToPcm('AAAA')).toThrow(AudioFormatError);
    expect(() => base64ToPcm('AAAA')).toThrow(expect.objectContaining({ code: 'pcm_odd_length' }));
  });

  it('copies bytes that start at an odd offset', () => {
    const backing = new Uint8Array(5);
    backing.set([0, 0x34, 0x12, 0xff, 0xff], 0);
    expect(Array.from(bytesToPcm(backing.subarray(1)))).toEqual([0x1234, -1]);
  });
});

describe('chunkPcm', () => {
  it('cuts 100 ms chunks and a shorter, even last one', () => {
    const pcm = tone(440, 250);
    const chunks = chunkPcm(pcm, 100);
    expect(chunks.map((c) => Buffer.from(c, 'base64').byteLength)).toEqual([4800, 4800, 2400]);
    expect(concatPcm(...chunks.map((c) => base64ToPcm(c)))).toEqual(pcm);
  });

  it('gives no chunk for empty audio and refuses a zero chunk size', () => {
    expect(chunkPcm(new Int16Array(0), 100)).toEqual([]);
    expect(() => chunkPcm(silence(10), 0)).toThrow(RangeError);
  });
});

describe('energy', () => {
  it('measures dBFS', () => {
    expect(rmsDbfs(silence(10))).toBe(-Infinity);
    expect(rmsDbfs(new Int16Array(0))).toBe(-Infinity);
    expect(rmsDbfs(Int16Array.from([-32768, -32768]))).toBe(0);
    expect(rmsDbfs(tone(1000, 1000, 0))).toBeCloseTo(-3.01, 1);
  });

  it('finds the silence around an utterance', () => {
    const word = tone(300, 400, -12);
    const pcm = concatPcm(silence(250), word, silence(300), word, silence(800));
    const { leadingMs, trailingMs, longestPauseMs } = measureSilence(pcm);
    expect(leadingMs).toBeCloseTo(250, -1);
    expect(trailingMs).toBeCloseTo(800, -1);
    expect(longestPauseMs).toBeCloseTo(300, -1);
    expect(measureSilence(silence(300))).toEqual({
      leadingMs: 300,
      trailingMs: 300,
      longestPauseMs: 0,
    });
  });
});
