/**
 * Bug: the tool output carries the call's `item_id` where swaram expects its `call_id`, so
 * swaram answers `unknown_call_id` and waits for the real answer forever. Breaks TOOL-ANSWER.
 */
import { SwaramClient, type ToolCall } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class AnswersWithItemId extends SwaramClient {
  protected override toolOutputEvent(call: ToolCall, output: string) {
    return super.toolOutputEvent({ ...call, callId: call.itemId ?? call.callId }, output);
  }
}

runFaultyAdapter('tool-answer-item-id', (options) => new AnswersWithItemId(options));
