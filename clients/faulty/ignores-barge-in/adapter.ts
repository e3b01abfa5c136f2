/**
 * Bug: `input_audio_buffer.speech_started` does not stop the speaker, so the assistant talks
 * over the user until its reply is cancelled (or, if it was already done, to its end).
 * Breaks BARGE-STOP.
 */
import { SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class IgnoresBargeIn extends SwaramClient {
  protected override bargeIn(): void {}
}

runFaultyAdapter('ignores-barge-in', (options) => new IgnoresBargeIn(options));
