import { isClientEventType, type ServerEvent } from '../protocol/events.js';
import type { Fault, FaultAction } from '../protocol/fixture/fault-schema.js';
import type { ScheduledTask, Scheduler } from './scheduler.js';
import { errorEvent, serializeServerEvent } from './server-events.js';

export type { Fault, FaultAction, FaultTrigger } from '../protocol/fixture/fault-schema.js';

/** An event on its way out, once a fault may have bent it (extra fields, a corrupt delta). */
type Outgoing = { type: string; [key: string]: unknown };

/** What the fault stage drives: the real socket of one session. */
export interface FaultHost {
  /** Writes one text frame; `type` is the event type, or undefined for a raw frame. */
  write(text: string, type: string | undefined): void;
  /** Ends the session and sends a close frame with this code and reason. */
  close(code: number, reason: string): void;
  /** Ends the session and destroys the socket without a close frame. */
  terminate(): void;
  /** A fresh server `event_id` (the same id scheme as the session's events). */
  nextEventId(): string;
  /** Stops the socket's pings and pongs (a `blackhole` fault; the stage stops the writes). */
  silence?(): void;
}

interface Armed {
  fault: Fault;
  fired: boolean;
  timer?: ScheduledTask;
}

interface Modifier {
  action: Extract<FaultAction, { action: 'duplicate' | 'drop' | 'extra-fields' | 'corrupt-delta' }>;
  remaining: number;
}

/** Distinct non-protocol `type` strings a session's counts keep at most. */
export const MAX_COUNTED_UNKNOWN_TYPES = 32;

const DELTA = 'response.output_audio.delta';
const TOOL_CALL = 'response.function_call_arguments.done';
const SESSION_UPDATED = 'session.updated';

/**
 * The one place faults happen, for one session.
 *
 * Every outbound event of a session passes through {@link FaultStage.send}; the session
 * reports connection and inbound events to it. Faults come from the fixture's script, CLI
 * flags and `server.inject()`, all as the same JSON {@link Fault} values, so a fault found by
 * the conformance explorer can be saved into a fixture unchanged.
 *
 * Closing is deferred: a close (a `close` or `terminate` fault, or {@link FaultStage.close})
 * stops every later write at once, so nothing leaks after it, but the socket is closed and the
 * session ended on a microtask, once the dispatch that caused it has unwound. A session's code
 * therefore never sees itself ended in the middle of a send.
 */
export class FaultStage {
  private armed: Armed[] = [];
  private modifiers: Modifier[] = [];
  private sentByType = new Map<string, number>();
  private receivedByType = new Map<string, number>();
  private unknownTypesCounted = 0;
  private stalledUntil = -Infinity;
  private stallQueue: Array<[string, string | undefined]> = [];
  private stallTimer: ScheduledTask | undefined;
  private delay: Extract<FaultAction, { action: 'delay' }> | undefined;
  private lastRelease = -Infinity;
  /** A close was requested: nothing more is written. */
  private closing = false;
  /** The session ended: timers are cancelled, a pending close is moot. */
  private disposed = false;
  private openedAt: number;
  /** Set by a `hold-session-updated` fault: fixture ms to hold it (Infinity: never send it). */
  private holdSessionUpdatedMs: number | undefined;

  constructor(
    private readonly host: FaultHost,
    private readonly scheduler: Scheduler,
    /** This session's 1-based connection number on the server. */
    readonly sessionNumber: number,
    private readonly random: () => number = Math.random,
    /** The session's replay speed: `hold-session-updated` scales with it. Default 1. */
    private readonly speed = 1,
  ) {
    this.openedAt = scheduler.clock.now();
  }

  /** Adds a fault for this session (ignored when it targets another session). */
  add(fault: Fault, { connected }: { connected: boolean }): () => void {
    if (
      fault.session !== undefined &&
      fault.session !== 'all' &&
      fault.session !== this.sessionNumber
    ) {
      return () => {};
    }
    const armed: Armed = { fault, fired: false };
    this.armed.push(armed);
    if (fault.when.on === 'time') {
      const at = this.openedAt + fault.when.afterMs;
      armed.timer = this.scheduler.at(at, () => this.fire(armed));
    } else if (fault.when.on === 'connect' && connected) {
      // A connect fault added to a live session applies to the next connection only.
      armed.fired = true;
    }
    return () => {
      this.scheduler.cancel(armed.timer);
      this.armed = this.armed.filter((a) => a !== armed);
    };
  }

  /** The socket is open: fires `connect` faults. */
  onConnect(): void {
    for (const armed of this.armed) if (armed.fault.when.on === 'connect') this.fire(armed);
  }

  /**
   * A client event of `type` arrived: fires `client-event` faults. Counts are kept for every
   * client event type of the protocol, for types an armed fault waits for, and for at most
   * {@link MAX_COUNTED_UNKNOWN_TYPES} other strings of up to 100 characters: a client sending
   * endless distinct (or huge) junk types cannot grow the session's memory.
   */
  onClientEvent(type: string): void {
    if (
      !this.receivedByType.has(type) &&
      !isClientEventType(type) &&
      !this.armed.some((a) => a.fault.when.on === 'client-event' && a.fault.when.type === type)
    ) {
      if (this.unknownTypesCounted >= MAX_COUNTED_UNKNOWN_TYPES || type.length > 100) return;
      this.unknownTypesCounted += 1;
    }
    const n = bump(this.receivedByType, type);
    for (const armed of this.armed) {
      const w = armed.fault.when;
      if (w.on === 'client-event' && w.type === type && countHit(n, w.count, armed.fault.repeat)) {
        this.fire(armed);
      }
    }
  }

  /** True once a close was requested (by a fault or {@link FaultStage.close}). */
  get hasClosed(): boolean {
    return this.closing;
  }

  /**
   * Ends the session with a close frame: at once nothing more is written; the close itself
   * happens on a microtask (see the class comment). The first close requested wins.
   */
  close(code: number, reason: string): void {
    this.defer(() => this.host.close(code, reason));
  }

  /** Like {@link FaultStage.close}, but the socket is destroyed without a close frame. */
  terminate(): void {
    this.defer(() => this.host.terminate());
  }

  /** Sends one server event through the active faults. */
  send(event: ServerEvent): void {
    if (this.closing) return;
    let copies = 1;
    let outgoing: Outgoing | undefined = event;
    for (const m of this.modifiers) {
      const only = 'type' in m.action ? m.action.type : undefined;
      if (m.remaining <= 0 || (only !== undefined && only !== event.type)) continue;
      const a = m.action;
      if (a.action === 'corrupt-delta' && event.type !== DELTA) continue;
      m.remaining -= 1;
      if (a.action === 'drop') outgoing = undefined;
      else if (a.action === 'duplicate') copies += a.times ?? 1;
      else if (a.action === 'extra-fields') outgoing = { ...outgoing!, ...a.fields };
      else
        outgoing = {
          ...outgoing!,
          delta: corruptDelta(String((event as Outgoing).delta ?? ''), a.kind),
        };
    }
    // On every delta of every session: with no modifier (the usual case) allocate nothing.
    if (this.modifiers.length > 0) this.modifiers = this.modifiers.filter((m) => m.remaining > 0);
    if (!outgoing) return;
    const text = serializeServerEvent(outgoing);
    const type = outgoing.type;
    if (type === SESSION_UPDATED && this.holdSessionUpdatedMs !== undefined) {
      if (this.holdSessionUpdatedMs === Infinity) return;
      const release = this.scheduler.clock.now() + this.holdSessionUpdatedMs / this.speed;
      this.scheduler.at(release, () => {
        if (!this.closing) for (let i = 0; i < copies; i++) this.emit(text, type);
      });
      return;
    }
    for (let i = 0; i < copies; i++) this.emit(text, type);
  }

  /** Sends a raw text frame through the same delay and stall as events. */
  sendRaw(text: string): void {
    if (!this.closing) this.emit(text, undefined);
  }

  /** Cancels pending timers (the session ended). */
  dispose(): void {
    this.closing = true;
    this.disposed = true;
    for (const a of this.armed) this.scheduler.cancel(a.timer);
    this.scheduler.cancel(this.stallTimer);
    this.stallQueue = [];
  }

  private emit(text: string, type: string | undefined): void {
    const now = this.scheduler.clock.now();
    if (now < this.stalledUntil) {
      if (this.stalledUntil !== Infinity) this.stallQueue.push([text, type]);
      return;
    }
    const d = this.delay;
    if (d && (type === undefined || !d.types || d.types.includes(type))) {
      const release = Math.max(this.lastRelease, now + d.ms + this.random() * (d.jitterMs ?? 0));
      this.lastRelease = release;
      this.scheduler.at(release, () => this.write(text, type));
      return;
    }
    if (!d?.types && this.lastRelease > now) {
      // Without `types`, events behind a delayed one keep their order; with `types`, the
      // others pass at once and the delayed ones arrive late (e.g. deltas after response.done).
      this.scheduler.at(this.lastRelease, () => this.write(text, type));
      return;
    }
    this.write(text, type);
  }

  private defer(apply: () => void): void {
    if (this.closing) return;
    this.closing = true;
    queueMicrotask(() => {
      if (!this.disposed) apply();
    });
  }

  private write(text: string, type: string | undefined): void {
    if (this.closing) return;
    this.host.write(text, type);
    if (type === undefined) return;
    const n = bump(this.sentByType, type);
    for (const armed of this.armed) {
      const w = armed.fault.when;
      if (armed.fired && !armed.fault.repeat) continue;
      const r = armed.fault.repeat;
      const hit =
        (w.on === 'server-event' && w.type === type && countHit(n, w.count, r)) ||
        (w.on === 'delta' && type === DELTA && countHit(n, w.count, r)) ||
        (w.on === 'tool-call' && type === TOOL_CALL && countHit(n, w.count, r));
      if (hit) this.fire(armed);
      if (this.closing) return;
    }
  }

  private fire(armed: Armed): void {
    if ((armed.fired && !armed.fault.repeat) || this.closing) return;
    armed.fired = true;
    const a = armed.fault.do;
    switch (a.action) {
      case 'close':
        if (a.error) {
          const { code, type } = a.error;
          const message = a.error.message ?? `the server closes this session (${code})`;
          const event = errorEvent(this.host.nextEventId(), { code, type, message });
          this.host.write(JSON.stringify(event), 'error');
        }
        this.close(a.code, a.reason ?? '');
        break;
      case 'terminate':
        this.terminate();
        break;
      case 'stall': {
        const now = this.scheduler.clock.now();
        this.stalledUntil = a.ms === undefined ? Infinity : now + a.ms;
        if (a.ms !== undefined) {
          this.scheduler.cancel(this.stallTimer);
          this.stallTimer = this.scheduler.at(this.stalledUntil, () => this.flushStall());
        }
        break;
      }
      case 'delay':
        this.delay = a;
        break;
      case 'inject':
        this.sendRaw(JSON.stringify(a.event));
        break;
      case 'raw':
        this.sendRaw(a.text);
        break;
      case 'blackhole':
        this.stalledUntil = Infinity;
        this.stallQueue = [];
        this.scheduler.cancel(this.stallTimer);
        this.host.silence?.();
        break;
      case 'hold-session-updated':
        // Applied in send(): every later session.updated is held this long, or never sent.
        this.holdSessionUpdatedMs = a.ms ?? Infinity;
        break;
      case 'duplicate':
      case 'drop':
      case 'extra-fields':
      case 'corrupt-delta': {
        const remaining = a.action === 'drop' ? (a.count ?? 1) : 1;
        this.modifiers.push({ action: a, remaining });
        break;
      }
      default: {
        // Every action of the fault schema is handled above: a new one is a compile error here.
        const unhandled: never = a;
        throw new Error(`unknown fault action ${JSON.stringify(unhandled)}`);
      }
    }
  }

  private flushStall(): void {
    const queued = this.stallQueue;
    this.stallQueue = [];
    for (const [text, type] of queued) this.emit(text, type);
  }
}

/** The `count`-th occurrence; with `repeat`, every `count`-th. */
function countHit(n: number, count = 1, repeat = false): boolean {
  return repeat ? n % count === 0 : n === count;
}

function bump(counts: Map<string, number>, key: string): number {
  const n = (counts.get(key) ?? 0) + 1;
  counts.set(key, n);
  return n;
}

function corruptDelta(delta: string, kind: 'bad-base64' | 'odd-length' | 'empty'): string {
  if (kind === 'empty') return '';
  if (kind === 'bad-base64') return '!!' + delta.slice(2, 40) + ' not base64 ';
  // Three bytes of PCM16: a whole sample and half of another.
  return Buffer.from([0, 1, 2]).toString('base64');
}
