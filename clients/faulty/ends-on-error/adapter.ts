/**
 * Bug: every `error` event is treated as fatal: the client reports it, then ends the session.
 * Race errors such as `response_cancel_not_active` are routine in realtime APIs, so the session
 * dies for nothing. Breaks ERROR-SURVIVE and RACE-TOLERANT.
 */
import { SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class EndsOnError extends SwaramClient {
  protected override onErrorEvent(event: Parameters<SwaramClient['onErrorEvent']>[0]): void {
    super.onErrorEvent(event);
    this.end();
  }
}

runFaultyAdapter('ends-on-error', (options) => new EndsOnError(options));
