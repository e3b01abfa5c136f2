/**
 * Bug: audio deltas are decoded with a lenient base64 decoder (`Buffer.from(delta, 'base64')`,
 * which skips characters it does not know) and played whatever comes out: a delta of bad
 * base64 or an odd number of bytes is played as noise (and shifts every later sample by a
 * byte), and nothing is reported. Breaks PLAY-STRICT.
 */
import { SwaramClient, type ServerMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class PlaysMalformedDeltas extends SwaramClient {
  protected override onAudioDelta(event: ServerMessage): void {
    const responseId = typeof event.response_id === 'string' ? event.response_id : '';
    const itemId = typeof event.item_id === 'string' ? event.item_id : '';
    if (!responseId || !this.acceptsDelta(responseId)) return super.onAudioDelta(event);
    const bytes = Buffer.from(typeof event.delta === 'string' ? event.delta : '', 'base64');
    const pcm = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.player.enqueue({ responseId, itemId, generation: this.generation, pcm });
  }
}

runFaultyAdapter('plays-malformed-deltas', (options) => new PlaysMalformedDeltas(options));
