/**
 * Bug: when one response makes several tool calls, every answer goes out with the `call_id`
 * of the response's first call (the call id is kept per response, as if a response could
 * only make one call). The second call is never answered, the first is answered twice
 * (`unknown_call_id` for the second answer) and swaram, waiting for the second output, never
 * speaks the answer. Breaks TOOL-ANSWER, but only when a response carries two or more calls:
 * no named scenario does (see expected.json); `swaram-conform explore` finds it.
 */
import {
  SDK_VERSION,
  SwaramClient,
  type SwaramClientOptions,
  type ToolCall,
} from '../../reference/sdk/index.js';

/** The variant's name in its hello. */
export const CLIENT_NAME = 'swaram-faulty-reuses-first-call-id';

export class ReusesFirstCallId extends SwaramClient {
  /** The first call_id seen per response. */
  private readonly firstCall = new Map<string, string>();

  protected override dispatchToolCall(call: ToolCall): void {
    if (call.responseId !== undefined && !this.firstCall.has(call.responseId))
      this.firstCall.set(call.responseId, call.callId);
    super.dispatchToolCall(call);
  }

  protected override deliverToolOutput(call: ToolCall, output: string, generation: number): void {
    const first = call.responseId === undefined ? undefined : this.firstCall.get(call.responseId);
    super.deliverToolOutput(first ? { ...call, callId: first } : call, output, generation);
  }
}

export const client = { name: CLIENT_NAME, version: SDK_VERSION, language: 'typescript' };

export function createClient(options: SwaramClientOptions): SwaramClient {
  return new ReusesFirstCallId(options);
}
