/**
 * Bug: built on OpenAI's event flow, the client runs a tool when the `function_call` item's
 * `response.output_item.done` arrives. swaram never sends that event, so the tool never runs
 * and the call is never answered. Breaks TOOL-TRIGGER.
 */
import { SwaramClient, type ServerMessage, type ToolCall } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class WaitsForOutputItemDone extends SwaramClient {
  private fromItem = false;
  protected override routes() {
    return {
      ...super.routes(),
      'response.output_item.done': (e: ServerMessage) => this.onOutputItemDone(e),
    };
  }
  /** Calls are taken from `response.output_item.done` only. */
  protected override dispatchToolCall(call: ToolCall): void {
    if (this.fromItem) super.dispatchToolCall(call);
  }
  private onOutputItemDone(event: ServerMessage): void {
    const item = (event.item ?? {}) as Record<string, unknown>;
    if (item.type !== 'function_call' || typeof item.call_id !== 'string') return;
    this.fromItem = true;
    try {
      this.dispatchToolCall({
        callId: item.call_id,
        name: String(item.name ?? ''),
        arguments: String(item.arguments ?? '{}'),
      });
    } finally {
      this.fromItem = false;
    }
  }
}

runFaultyAdapter('waits-for-output-item-done', (options) => new WaitsForOutputItemDone(options));
