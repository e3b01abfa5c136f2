import { describe, expect, it } from 'vitest';
import { AudioChunker } from './audio-chunker.js';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe('AudioChunker', () => {
  it('cuts 20 ms inputs into 40 ms chunks', () => {
    const chunker = new AudioChunker();
    expect(chunker.push(bytes(960))).toEqual([]);
    const out = chunker.push(bytes(960));
    expect(out.map((c) => c.length)).toEqual([1920]);
    expect(chunker.pendingBytes).toBe(0);
  });

  it('splits a large buffer and keeps odd bytes for later', () => {
    const chunker = new AudioChunker({ chunkMs: 20 });
    const out = chunker.push(bytes(960 * 3 + 1));
    expect(out.map((c) => c.length)).toEqual([960, 960, 960]);
    expect(chunker.pendingBytes).toBe(1);
    expect(chunker.push(bytes(959)).map((c) => c.length)).toEqual([960]);
  });

  it('flushes the rest as whole samples, padded to at least 20 ms', () => {
    const chunker = new AudioChunker();
    chunker.push(bytes(101, 7));
    const [last] = chunker.flush();
    expect(last?.length).toBe(960);
    expect(last?.[100]).toBe(7);
    expect(last?.[101]).toBe(0);
    expect(chunker.flush()).toEqual([]);
    chunker.push(bytes(1001));
    expect(chunker.flush()[0]?.length).toBe(1002);
  });

  it('refuses chunk sizes outside 10–200 ms', () => {
    expect(() => new AudioChunker({ chunkMs: 5 })).toThrow(RangeError);
    expect(() => new AudioChunker({ chunkMs: 500 })).toThrow(RangeError);
  });

  it('returns copies, not views of its buffer', () => {
    const chunker = new AudioChunker({ chunkMs: 10 });
    const input = bytes(480, 9);
    const [chunk] = chunker.push(input);
    input.fill(0);
    expect(chunk?.[0]).toBe(9);
  });
});
