/**
 * Bug: ported from OpenAI's API, the client sends `response.create` after every tool output,
 * although swaram continues on its own. Breaks TOOL-NO-NUDGE.
 */
import { SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class NudgesAfterTool extends SwaramClient {
  protected override afterToolOutput(): void {
    this.sendEvent({ type: 'response.create', event_id: this.nextEventId() });
  }
}

runFaultyAdapter('nudges-after-tool', (options) => new NudgesAfterTool(options));
