/**
 * Bug: a push-to-talk release always sends `input_audio_buffer.commit` once the socket is
 * open, without checking that the session is ready or that 100 ms of audio went out since the
 * last commit or turn end: a quick press, a bouncing button, or a release after swaram's VAD
 * already took the turn commits an empty buffer, and swaram answers
 * `input_audio_buffer_commit_empty`. Breaks PUSH-TO-TALK.
 */
import { SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class CommitsWithoutAudio extends SwaramClient {
  override commit(): boolean {
    this.flushAudio();
    if (!this.sendEvent({ type: 'input_audio_buffer.commit' })) return false;
    this.bytesSinceCommit = 0;
    return true;
  }
}

runFaultyAdapter('commits-without-audio', (options) => new CommitsWithoutAudio(options));
