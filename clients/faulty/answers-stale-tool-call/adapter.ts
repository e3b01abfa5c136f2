/**
 * Bug: a tool result is sent on whatever connection is open when the tool finishes. When the
 * connection dropped while the tool ran, the result of the old session's `call_id` goes into
 * the fresh session after the reconnect, which knows nothing of it (`unknown_call_id`).
 * Breaks TOOL-STALE.
 */
import { SwaramClient, type ServerMessage, type ToolCall } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class AnswersStaleToolCall extends SwaramClient {
  private readonly pending: Array<{ call: ToolCall; output: string }> = [];
  protected override deliverToolOutput(call: ToolCall, output: string): void {
    if (this.ended) return;
    // No check of the connection the call came from: sent now, or once a connection is ready.
    if (this.sessionReady && this.sendEvent(this.toolOutputEvent(call, output))) return;
    this.pending.push({ call, output });
  }
  protected override onSessionUpdated(event: ServerMessage): void {
    super.onSessionUpdated(event);
    for (const { call, output } of this.pending.splice(0)) {
      this.sendEvent(this.toolOutputEvent(call, output));
    }
  }
}

runFaultyAdapter('answers-stale-tool-call', (options) => new AnswersStaleToolCall(options));
