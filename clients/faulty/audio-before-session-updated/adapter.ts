/**
 * Bug: `session.update` goes first, but microphone audio follows at once instead of waiting
 * for `session.updated`, so audio captured before the settings applied is handled with the
 * defaults. Breaks SESSION-ACK.
 */
import { SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class AudioBeforeSessionUpdated extends SwaramClient {
  protected override audioGateOpen(): boolean {
    return this.state === 'open' || this.ready;
  }
}

runFaultyAdapter(
  'audio-before-session-updated',
  (options) => new AudioBeforeSessionUpdated(options),
);
