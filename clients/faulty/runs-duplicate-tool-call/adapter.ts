/**
 * Bug: tool calls are dispatched without remembering their `call_id`, so a call delivered
 * twice (a duplicated event, or the `function_call` item repeated in `response.done`) runs
 * twice. Breaks TOOL-ONCE.
 */
import { SwaramClient, type ToolCall } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class RunsDuplicateToolCall extends SwaramClient {
  protected override dispatchToolCall(call: ToolCall): void {
    const generation = this.generation;
    void this.tools
      .run(call)
      .then((outcome) => this.deliverToolOutput(call, outcome.output, generation));
  }
}

runFaultyAdapter('runs-duplicate-tool-call', (options) => new RunsDuplicateToolCall(options));
