/**
 * Bug: microphone audio is batched into 400 ms appends "to cut per-message overhead", twice
 * the 200 ms swaram's chunk guidance allows; the server VAD hears the user in 400 ms steps.
 * Breaks APPEND-SIZE.
 */
import { SwaramClient, msToBytes } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

const BATCH_BYTES = msToBytes(400);

class SendsLargeChunks extends SwaramClient {
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  protected override sendAudioChunk(chunk: Uint8Array): void {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes < BATCH_BYTES) return;
    const whole = new Uint8Array(this.batchBytes);
    let at = 0;
    for (const part of this.batch) {
      whole.set(part, at);
      at += part.length;
    }
    this.batch = [];
    this.batchBytes = 0;
    super.sendAudioChunk(whole);
  }
}

runFaultyAdapter('sends-large-chunks', (options) => new SendsLargeChunks(options));
