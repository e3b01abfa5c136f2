/** A tool call from swaram (`response.function_call_arguments.done`). */
export interface ToolCall {
  /** The id to answer with (not the item id). */
  readonly callId: string;
  readonly name: string;
  /** The arguments as swaram sent them: a JSON string. */
  readonly arguments: string;
  readonly itemId?: string;
  readonly responseId?: string;
}

/**
 * Runs one tool. Gets the parsed arguments; returns the result (a string is sent as is,
 * anything else as JSON) or throws.
 */
export type ToolHandler = (args: unknown, call: ToolCall) => unknown;

/** Why a call did not produce a normal result. */
export type ToolFailureCode = 'unknown_tool' | 'invalid_arguments' | 'tool_failed' | 'tool_timeout';

/** What {@link ToolDispatcher.run} produced: always an output string for swaram. */
export interface ToolOutcome {
  /** The `output` of the `function_call_output` item. */
  readonly output: string;
  /** Set when the tool could not run normally (the output then describes the error). */
  readonly failure?: { readonly code: ToolFailureCode; readonly message: string };
}

/**
 * The app's tools by name. {@link ToolDispatcher.run} never rejects and always yields a
 * string: unknown tools, unparseable arguments and throwing handlers become an error output,
 * so swaram always gets an answer. Override `formatResult` / `formatFailure` to change the
 * shape of outputs.
 */
export class ToolDispatcher {
  private readonly handlers = new Map<string, ToolHandler>();

  constructor(handlers: Readonly<Record<string, ToolHandler>> = {}) {
    for (const [name, handler] of Object.entries(handlers)) this.register(name, handler);
  }

  register(name: string, handler: ToolHandler): this {
    this.handlers.set(name, handler);
    return this;
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  async run(call: ToolCall): Promise<ToolOutcome> {
    const handler = this.handlers.get(call.name);
    if (!handler) return this.failure('unknown_tool', `unknown tool ${JSON.stringify(call.name)}`);
    let args: unknown;
    try {
      args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
    } catch (err) {
      return this.failure('invalid_arguments', `arguments are not JSON: ${(err as Error).message}`);
    }
    try {
      const result = await handler(args, call);
      return { output: this.formatResult(result) };
    } catch (err) {
      return this.failure('tool_failed', err instanceof Error ? err.message : String(err));
    }
  }

  /** A failure outcome: what swaram is told and what the app is told. */
  failure(code: ToolFailureCode, message: string): ToolOutcome {
    return { output: this.formatFailure(code, message), failure: { code, message } };
  }

  /** The output for a result: strings as they are, anything else as JSON. */
  protected formatResult(result: unknown): string {
    if (typeof result === 'string') return result;
    if (result === undefined) return '{}';
    try {
      return JSON.stringify(result) ?? String(result);
    } catch {
      return String(result);
    }
  }

  /** The output for a failure: `{"error": {"code": …, "message": …}}`. */
  protected formatFailure(code: ToolFailureCode, message: string): string {
    return JSON.stringify({ error: { code, message } });
  }
}
