/**
 * Bug: audio captured before the session is ready is kept within a byte budget of 0x7fff
 * (32 767) bytes, trimmed from the front byte by byte instead of by whole samples. When the
 * ack is slow and the buffer overflows, the oldest held chunk is cut to an odd length, and its
 * append (the first of the connection) is not whole PCM16 samples; swaram refuses it with
 * `invalid_audio`. Breaks APPEND-FORMAT and WIRE-SCHEMA.
 */
import { SwaramClient, type ServerMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

const HELD_MAX_BYTES = 0x7fff;

class TrimsHeldAudioByBytes extends SwaramClient {
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  protected override queueAudioChunk(chunk: Uint8Array): void {
    if (this.audioGateOpen()) return this.sendAudioChunk(chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    while (this.heldBytes > HELD_MAX_BYTES) {
      const excess = this.heldBytes - HELD_MAX_BYTES;
      const head = this.held[0]!;
      this.held[0] = head.subarray(Math.min(excess, head.length));
      this.heldBytes -= Math.min(excess, head.length);
      if (this.held[0].length === 0) this.held.shift();
    }
  }
  protected override onSessionUpdated(event: ServerMessage): void {
    super.onSessionUpdated(event);
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const chunk of held) this.sendAudioChunk(chunk);
  }
}

runFaultyAdapter('odd-length-audio', (options) => new TrimsHeldAudioByBytes(options));
