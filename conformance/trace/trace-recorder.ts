import { parseClientEvent, parseServerEvent } from '../../protocol/codec.js';
import type { ConnectionEvent, ControlEvent } from '../../mock-server/mock-server.js';
import type { WireFrame } from '../../mock-server/frame-log.js';
import type { Observation } from '../target/adapter-protocol.js';
import type {
  LooseEvent,
  Trace,
  TraceAction,
  TraceActionArgs,
  TraceActionKind,
  TraceActionOf,
  TraceFrame,
  TraceObservation,
  TraceStall,
} from './trace.js';

/** What a recorder needs to know before the first frame. */
export interface TraceRecorderOptions {
  scenario: string;
  /** Clock time the run started. */
  startedAt: number;
  drive: Trace['drive'];
  model: string;
  speed: number;
  /** The runner's clock, for the times of actions. */
  now: () => number;
}

/**
 * Records one scenario run into a {@link Trace}: the mock's connections and frames, the
 * adapter's observations and the harness's findings, the runner's actions. Waits of the
 * runner subscribe with {@link TraceRecorder.onChange} and re-check after every record.
 */
export class TraceRecorder {
  /** The trace being recorded; it grows until {@link TraceRecorder.finish}. */
  readonly trace: Trace;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();
  private readonly sessionNumbers = new Map<string, number>();

  constructor(options: TraceRecorderOptions) {
    this.now = options.now;
    this.trace = {
      scenario: options.scenario,
      startedAt: options.startedAt,
      endedAt: options.startedAt,
      drive: options.drive,
      features: [],
      model: options.model,
      speed: options.speed,
      connections: [],
      frames: [],
      observations: [],
      actions: [],
      harnessErrors: [],
    };
  }

  /** Calls `listener` after every change of the trace; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The mock's `onConnection` hook: routes to the opened / closed record. */
  connection(event: ConnectionEvent): void {
    if (event.kind === 'opened') this.connectionOpened(event);
    else this.connectionClosed(event);
  }

  /** A connection the mock accepted (or is about to refuse). */
  connectionOpened(event: { session: string; number: number; at: number }): void {
    this.sessionNumbers.set(event.session, event.number);
    this.trace.connections.push({
      number: event.number,
      session: event.session,
      openedAt: event.at,
      closedAt: undefined,
      closeCode: undefined,
      closeReason: undefined,
      closedBy: undefined,
      pings: [],
    });
    this.changed();
  }

  /** A connection closed, by either side. */
  connectionClosed(event: {
    session: string;
    at: number;
    code: number;
    reason: string;
    closedBy: 'server' | 'client';
  }): void {
    const c = this.trace.connections.find((x) => x.session === event.session);
    if (c)
      Object.assign(c, {
        closedAt: event.at,
        closeCode: event.code,
        closeReason: event.reason,
        closedBy: event.closedBy,
      });
    this.changed();
  }

  /**
   * A ping or pong (the mock's `onControl` hook): a ping is added to its connection's
   * `pings`; a pong answers the oldest unanswered ping of the other side.
   */
  control(event: ControlEvent): void {
    const c = this.trace.connections.find((x) => x.session === event.session);
    if (!c) return;
    const pings = (c.pings ??= []);
    if (event.kind === 'ping') {
      pings.push({
        at: event.at,
        by: event.dir === 'out' ? 'server' : 'client',
        pongAt: undefined,
      });
    } else {
      const by = event.dir === 'in' ? 'server' : 'client';
      const ping = pings.find((p) => p.by === by && p.pongAt === undefined);
      if (ping) ping.pongAt = event.at;
    }
    this.changed();
  }

  /** A frame on the wire (the mock's `onFrame` hook), validated with the strict schemas. */
  frame(f: Pick<WireFrame, 'session' | 'dir' | 'at' | 'text' | 'binary'>): void {
    const connection = this.sessionNumbers.get(f.session) ?? 0;
    this.trace.frames.push(traceFrame(f.at, f.dir, connection, f.text, f.binary === true));
    this.changed();
  }

  /** An observation the adapter reported, with its arrival time. */
  observation(at: number, observation: Observation): void {
    this.trace.observations.push(traceObservation(at, observation));
    this.changed();
  }

  /** Something the runner did to the client, now. */
  action<K extends TraceActionKind>(kind: K, ...[data]: TraceActionArgs<K>): void {
    const action = { at: this.now(), kind, data: data ?? {} } as TraceActionOf<K>;
    this.trace.actions.push(action as TraceAction);
    this.changed();
  }

  /** A problem of the harness or the adapter channel. */
  harnessError(message: string): void {
    this.trace.harnessErrors.push(message);
    this.changed();
  }

  /** The features the adapter declared in its hello. */
  setFeatures(features: readonly string[] | undefined): void {
    this.trace.features = features ? [...features] : [];
  }

  /** Marks the end of the run; `stalls` are the runner's own (real clock only, see StallWatch). */
  finish(at: number, stalls?: readonly TraceStall[]): void {
    this.trace.endedAt = at;
    if (stalls) this.trace.stalls = [...stalls];
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * A frame of the trace: valid (strict schemas) with its typed event, or invalid with its JSON
 * read loosely and the violations.
 */
export function traceFrame(
  at: number,
  dir: 'in' | 'out',
  connection: number,
  text: string,
  binary = false,
): TraceFrame {
  const base = { at, connection, text, ...(binary ? { binary: true } : {}) };
  if (binary) return { ...base, dir, valid: false, event: undefined, violations: [] };
  if (dir === 'in') {
    const parsed = parseClientEvent(text, { strict: true });
    return parsed.ok
      ? { ...base, dir, valid: true, event: parsed.event, violations: [] }
      : { ...base, dir, valid: false, event: readEvent(text), violations: [...parsed.violations] };
  }
  const parsed = parseServerEvent(text, { strict: true });
  return parsed.ok
    ? { ...base, dir, valid: true, event: parsed.event, violations: [] }
    : { ...base, dir, valid: false, event: readEvent(text), violations: [...parsed.violations] };
}

/** A trace observation: the validated observation with its arrival time. */
export function traceObservation(at: number, observation: Observation): TraceObservation {
  return { at, type: observation.type, data: { ...observation } } as TraceObservation;
}

/** The JSON of a frame when it is an object with a string `type`. */
function readEvent(text: string): LooseEvent | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof (v as { type?: unknown }).type === 'string'
    ) {
      return v as LooseEvent;
    }
  } catch {
    // not JSON: the violations say so
  }
  return undefined;
}
