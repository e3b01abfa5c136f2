import { BYTES_PER_MS, msToBytes } from './pcm16.js';

/** Options of {@link AudioChunker}, with their defaults. */
export interface AudioChunkerOptions {
  /** The size of every chunk sent while the microphone runs. Default 40 ms (1 920 bytes). */
  readonly chunkMs?: number;
  /** The last chunk of a flush is padded with silence up to this. Default 20 ms. */
  readonly minChunkMs?: number;
}

/**
 * Cuts microphone audio, however the app delivers it, into regular PCM16 chunks for
 * `input_audio_buffer.append`: every chunk holds whole samples (an even number of bytes) and
 * is `chunkMs` long, except the last one of a {@link AudioChunker.flush}.
 *
 * Chunking does not pace: audio that arrives in real time leaves in real time. Subclass and
 * override {@link AudioChunker.cut} to change how a chunk is cut.
 */
export class AudioChunker {
  readonly chunkBytes: number;
  readonly minChunkBytes: number;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(options: AudioChunkerOptions = {}) {
    const chunkMs = options.chunkMs ?? 40;
    if (!(chunkMs >= 10 && chunkMs <= 200)) {
      throw new RangeError(`chunkMs must be between 10 and 200 ms, got ${chunkMs}`);
    }
    this.chunkBytes = msToBytes(chunkMs);
    this.minChunkBytes = Math.min(this.chunkBytes, msToBytes(options.minChunkMs ?? 20));
  }

  /** Bytes waiting for a full chunk. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Adds captured audio; returns the chunks it completed. */
  push(pcm: Uint8Array): Uint8Array[] {
    if (pcm.length === 0) return [];
    this.pending = concat(this.pending, pcm);
    const chunks: Uint8Array[] = [];
    while (this.pending.length >= this.chunkBytes) {
      chunks.push(this.cut(this.pending.subarray(0, this.chunkBytes)));
      this.pending = this.pending.subarray(this.chunkBytes);
    }
    if (chunks.length > 0) this.pending = this.pending.slice();
    return chunks;
  }

  /**
   * Returns what is left as one last chunk, padded with silence to whole samples and to at
   * least `minChunkMs`; nothing when nothing is left.
   */
  flush(): Uint8Array[] {
    if (this.pending.length === 0) return [];
    const size = Math.max(this.minChunkBytes, this.pending.length + (this.pending.length % 2));
    const last = new Uint8Array(size);
    last.set(this.pending);
    this.pending = new Uint8Array(0);
    return [this.cut(last)];
  }

  /** Drops what is pending. */
  reset(): void {
    this.pending = new Uint8Array(0);
  }

  /** Makes one outgoing chunk from `bytes` (a copy). Override to alter chunks. */
  protected cut(bytes: Uint8Array): Uint8Array {
    return bytes.slice();
  }

  /** Milliseconds of audio in `bytes`. */
  static durationMs(bytes: number): number {
    return bytes / BYTES_PER_MS;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
