import type { TimerHandle } from '../../mock-server/clock.js';
import type { CommandInput, ObservationOf } from '../target/adapter-protocol.js';
import type { ToolBehaviour } from '../scenarios/scenario.js';
import type { ScenarioClock } from './scenario-clock.js';
import type { TraceActionData } from '../trace/trace.js';

/** Options of {@link ToolDesk}. */
export interface ToolDeskOptions {
  /** How each tool answers, by name (the scenario's `tools`); unknown tools answer `{"ok":true}`. */
  tools?: Readonly<Record<string, ToolBehaviour>>;
  clock: ScenarioClock;
  /** Sends the `tool.result` command to the client. */
  send(result: CommandInput): void;
  /** Records the answer as an action of the trace, when it is sent. */
  record(kind: 'tool.result', data: TraceActionData['tool.result']): void;
}

/** Default time a tool "runs", scenario ms. */
const DEFAULT_DELAY_MS = 20;

/**
 * The app's tools: answers each `tool.invoke` the client reports after the tool's delay
 * (scenario ms), with its output or its error.
 */
export class ToolDesk {
  private readonly timers = new Set<TimerHandle>();

  constructor(private readonly options: ToolDeskOptions) {}

  /** Schedules the answer to one invocation. */
  invoke(invoke: ObservationOf<'tool.invoke'>): void {
    const behaviour = this.options.tools?.[invoke.name] ?? {};
    const delayMs = behaviour.delayMs ?? DEFAULT_DELAY_MS;
    const timer = this.options.clock.after(delayMs, () => {
      this.timers.delete(timer);
      this.answer(invoke, behaviour, delayMs);
    });
    this.timers.add(timer);
  }

  /** Drops every answer not sent yet. */
  close(): void {
    for (const timer of this.timers) this.options.clock.cancel(timer);
    this.timers.clear();
  }

  private answer(
    invoke: ObservationOf<'tool.invoke'>,
    behaviour: ToolBehaviour,
    delayMs: number,
  ): void {
    const base = { call_id: invoke.call_id, name: invoke.name, delayMs };
    if (behaviour.error !== undefined) {
      this.options.record('tool.result', { ...base, error: behaviour.error });
      this.options.send({ type: 'tool.result', call_id: invoke.call_id, error: behaviour.error });
      return;
    }
    const output = behaviour.output ?? '{"ok":true}';
    this.options.record('tool.result', { ...base, output });
    this.options.send({ type: 'tool.result', call_id: invoke.call_id, output });
  }
}
