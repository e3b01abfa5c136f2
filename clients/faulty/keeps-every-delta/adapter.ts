/**
 * Bug: a leak. Every audio delta is kept for good, as its base64 text and as the float samples
 * a Web Audio player at 48 kHz makes of it (a "replay buffer" nobody ever clears), so memory
 * grows with every reply heard, about 10 bytes per byte of audio. Breaks BOUNDED-MEMORY over
 * the long session.
 */
import { SwaramClient, type ServerMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class KeepsEveryDelta extends SwaramClient {
  private readonly replay: Array<{ text: string; samples: Float32Array }> = [];

  protected override onAudioDelta(event: ServerMessage): void {
    if (typeof event.delta === 'string') {
      const bytes = Buffer.from(event.delta, 'base64');
      const samples = new Float32Array(bytes.length); // 24 kHz → 48 kHz: two per sample
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i & ~1) / 32768;
      // A copy of the text: the kept one must not share memory with the parsed frame.
      this.replay.push({ text: Buffer.from(event.delta).toString(), samples });
    }
    super.onAudioDelta(event);
  }
}

runFaultyAdapter('keeps-every-delta', (options) => new KeepsEveryDelta(options));
