/**
 * Bug: after `input_audio_buffer.commit` the client holds the microphone back until
 * `input_audio_buffer.committed` arrives (as OpenAI sends it), giving up after 3 s. swaram
 * never sends `committed`, and Premium does not answer a commit at all, so every push-to-talk
 * release stalls the microphone for 3 s. Breaks MODE-PREMIUM.
 */
import { SwaramClient, type ServerMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

const COMMITTED_WAIT_MS = 3000;

class WaitsForCommitted extends SwaramClient {
  private awaitingCommitted = false;
  private held: Uint8Array[] = [];
  override commit(): boolean {
    if (!super.commit()) return false;
    this.awaitingCommitted = true;
    this.clock.setTimeout(() => this.resume(), COMMITTED_WAIT_MS);
    return true;
  }
  protected override sendAudioChunk(chunk: Uint8Array): void {
    if (this.awaitingCommitted) this.held.push(chunk);
    else super.sendAudioChunk(chunk);
  }
  protected override onUnknownEvent(event: ServerMessage): void {
    if (event.type === 'input_audio_buffer.committed') this.resume();
  }
  private resume(): void {
    if (!this.awaitingCommitted) return;
    this.awaitingCommitted = false;
    // What the microphone captured meanwhile is dropped: it belonged to the "old" turn.
    this.held = [];
  }
}

runFaultyAdapter('waits-for-committed', (options) => new WaitsForCommitted(options));
