/**
 * Bug: every `speech_started` is answered with a `response.cancel`, "to be sure the assistant
 * stops talking", whether or not a reply is in flight. swaram cancels on its own on a
 * barge-in, and at the start of an ordinary turn there is nothing to cancel: swaram answers
 * `response_cancel_not_active` each time (which the client tolerates). Breaks CANCEL-ACTIVE.
 */
import { SwaramClient, type ServerMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class CancelsOnSpeechStarted extends SwaramClient {
  protected override onSpeechStarted(event: ServerMessage): void {
    super.onSpeechStarted(event);
    this.sendEvent({ type: 'response.cancel', event_id: this.nextEventId() });
  }
}

runFaultyAdapter('cancels-on-speech-started', (options) => new CancelsOnSpeechStarted(options));
