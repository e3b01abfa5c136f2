/**
 * Bug: no stale-delta fence. Audio deltas are played whatever their `response_id`, so deltas
 * of a reply that was cancelled, arriving after the cancel, go to the speaker. Breaks
 * STALE-FENCE.
 */
import { SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class PlaysLateDeltas extends SwaramClient {
  protected override acceptsDelta(): boolean {
    return true;
  }
}

runFaultyAdapter('plays-late-deltas', (options) => new PlaysLateDeltas(options));
