/**
 * Bug: the client streams microphone audio as soon as the socket opens and sends its settings
 * along only after the first chunk, so swaram handles the audio with default settings and
 * refuses the late `session.update` (`session_locked`). Breaks SESSION-FIRST, SESSION-ACK and
 * SESSION-LOCK: all three follow from putting audio before the update.
 */
import { SwaramClient, type ClientMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class AudioBeforeSessionUpdate extends SwaramClient {
  private heldUpdate: ClientMessage | undefined;
  protected override audioGateOpen(): boolean {
    return this.state === 'open' || this.ready;
  }
  protected override sendEvent(event: ClientMessage): boolean {
    if (event.type === 'session.update' && !this.audioSent) {
      this.heldUpdate = event;
      return true;
    }
    const sent = super.sendEvent(event);
    const update = this.heldUpdate;
    if (sent && update && event.type === 'input_audio_buffer.append') {
      this.heldUpdate = undefined;
      super.sendEvent(update);
    }
    return sent;
  }
}

runFaultyAdapter('audio-before-session-update', (options) => new AudioBeforeSessionUpdate(options));
