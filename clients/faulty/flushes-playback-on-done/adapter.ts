/**
 * Bug: the speaker is flushed when `response.done` arrives, as if the reply were over. Replies
 * are generated faster than they are played, so the tail of every reply is lost. Breaks
 * PLAY-ORDER.
 */
import { SwaramClient, type ServerMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class FlushesPlaybackOnDone extends SwaramClient {
  protected override onResponseDone(event: ServerMessage): void {
    super.onResponseDone(event);
    this.player.stop('other');
  }
}

runFaultyAdapter('flushes-playback-on-done', (options) => new FlushesPlaybackOnDone(options));
