/**
 * Bug: microphone audio is cut at a byte count (a 1 999-byte read buffer) instead of at whole
 * samples, so every append carries an odd number of bytes and swaram refuses it with
 * `invalid_audio`. Breaks APPEND-FORMAT and WIRE-SCHEMA.
 */
import { AudioChunker, SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class ByteChunker extends AudioChunker {
  private held = new Uint8Array(0);
  override push(pcm: Uint8Array): Uint8Array[] {
    const all = new Uint8Array(this.held.length + pcm.length);
    all.set(this.held);
    all.set(pcm, this.held.length);
    const chunks: Uint8Array[] = [];
    let at = 0;
    for (; all.length - at >= 1999; at += 1999) chunks.push(all.slice(at, at + 1999));
    this.held = all.slice(at);
    return chunks;
  }
  override flush(): Uint8Array[] {
    const last = this.held;
    this.held = new Uint8Array(0);
    return last.length > 0 ? [last] : [];
  }
}

runFaultyAdapter(
  'odd-length-audio',
  (options) => new SwaramClient({ ...options, chunker: new ByteChunker() }),
);
