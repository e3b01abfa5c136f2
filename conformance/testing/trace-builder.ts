import type { ObservationType } from '../target/adapter-protocol.js';
import { traceFrame } from '../trace/trace-recorder.js';
import { BYTES_PER_MS } from '../../protocol/audio/pcm16.js';
import type {
  Trace,
  TraceAction,
  TraceActionArgs,
  TraceActionKind,
  TraceActionOf,
  TraceConnection,
  TraceFrame,
  TraceObservation,
  TraceStall,
} from '../trace/trace.js';

/** Options of {@link traceBuilder}. */
export interface TraceBuilderOptions {
  /** Default `test`. */
  scenario?: string;
  /** Default `adapter`. */
  drive?: 'adapter' | 'wire-only';
  /** Default: none. */
  features?: readonly string[];
  /** Default `mal-realtime-simple`. */
  model?: string;
  /** Clock time the trace starts at (default 0). */
  startAt?: number;
  /** The run's speed factor (`trace.speed`); omitted from the trace when not given. */
  speed?: number;
}

type Json = Record<string, unknown>;

/**
 * A fluent builder of hand-written traces, for tests of rules, metrics and reports.
 *
 * The builder keeps a clock (`now`) and a current connection. Frames, observations and
 * actions are stamped with `now`; nothing advances the clock except {@link TraceBuilder.at},
 * {@link TraceBuilder.wait} and {@link TraceBuilder.stream}. Frames get their `event` parsed
 * and their `violations` computed with the strict schemas, as the runner does.
 *
 * @example
 * const trace = traceBuilder({ features: ['playback', 'barge-in'] })
 *   .open().sessionCreated().client({ type: 'session.update', session: {} }).sessionUpdated()
 *   .wait(100).responseCreated('resp_1').delta('resp_1', 500)
 *   .wait(300).played('resp_1', 300)
 *   .speechStarted().responseDone('resp_1', 'cancelled', 'turn_detected')
 *   .wait(10).played('resp_1', 10).playbackStopped('barge-in', ['resp_1'])
 *   .build();
 */
export class TraceBuilder {
  private clock: number;
  private current = 0;
  private readonly startedAt: number;
  private readonly connections: TraceConnection[] = [];
  private readonly frames: TraceFrame[] = [];
  private readonly observations: TraceObservation[] = [];
  private readonly actions: TraceAction[] = [];
  private readonly harnessErrors: string[] = [];
  private stalls: TraceStall[] | undefined;
  private eventCounter = 0;

  constructor(private readonly options: TraceBuilderOptions = {}) {
    this.startedAt = options.startAt ?? 0;
    this.clock = this.startedAt;
  }

  /** The builder's clock. */
  get now(): number {
    return this.clock;
  }

  /** The current connection's number (0 before the first `open`). */
  get connection(): number {
    return this.current;
  }

  /** Number of frames so far: the index the next frame will get. */
  get frameCount(): number {
    return this.frames.length;
  }

  /** Number of observations so far: the index the next observation will get. */
  get observationCount(): number {
    return this.observations.length;
  }

  /** Sets the clock (absolute ms). */
  at(ms: number): this {
    this.clock = ms;
    return this;
  }

  /** Advances the clock. */
  wait(ms: number): this {
    this.clock += ms;
    return this;
  }

  /** Opens a new connection now and makes it current. */
  open(options: { session?: string } = {}): this {
    const number = this.connections.length + 1;
    this.connections.push({
      number,
      session: options.session ?? `sess_${number}`,
      openedAt: this.clock,
      closedAt: undefined,
      closeCode: undefined,
      closeReason: undefined,
      closedBy: undefined,
    });
    this.current = number;
    return this;
  }

  /** Closes the current connection now. */
  close(code: number, by: 'server' | 'client', reason?: string): this {
    const c = this.connections[this.current - 1];
    if (!c) throw new Error('close(): no connection is open; call open() first');
    c.closedAt = this.clock;
    c.closeCode = code;
    c.closeReason = reason;
    c.closedBy = by;
    return this;
  }

  /**
   * A WebSocket ping on the current connection now, by the mock (`server`) or the client, and
   * its pong `pongAfterMs` later (never when undefined).
   */
  ping(by: 'server' | 'client', pongAfterMs?: number): this {
    const c = this.connections[this.current - 1];
    if (!c) throw new Error('ping(): no connection is open; call open() first');
    (c.pings ??= []).push({
      at: this.clock,
      by,
      pongAt: pongAfterMs === undefined ? undefined : this.clock + pongAfterMs,
    });
    return this;
  }

  /** Makes an earlier connection current again. */
  use(connection: number): this {
    if (!this.connections[connection - 1]) throw new Error(`use(): no connection ${connection}`);
    this.current = connection;
    return this;
  }

  /** A client → mock frame: an event object, or raw text. */
  client(event: Json | string): this {
    return this.frame('in', event);
  }

  /** A mock → client frame: an event object (an `event_id` is added when missing), or raw text. */
  server(event: Json | string): this {
    if (typeof event !== 'string' && event.event_id === undefined) {
      event = { type: event.type, event_id: `event_${++this.eventCounter}`, ...event };
    }
    return this.frame('out', event);
  }

  /** A binary frame. */
  binary(dir: 'in' | 'out'): this {
    this.requireConnection();
    this.frames.push({
      at: this.clock,
      dir,
      connection: this.current,
      text: '<binary>',
      valid: false,
      event: undefined,
      violations: [
        { code: 'invalid_json', path: '', message: 'a binary frame; swaram takes JSON text only' },
      ],
      binary: true,
    });
    return this;
  }

  /**
   * An adapter observation. Its fields are not validated (a test may leave out required ones
   * to see how rules cope).
   */
  observe(type: ObservationType, data: Json = {}): this {
    const observation = { at: this.clock, type, data: { type, ...data } };
    this.observations.push(observation as unknown as TraceObservation);
    return this;
  }

  /** A runner action. */
  act<K extends TraceActionKind>(kind: K, ...[data]: TraceActionArgs<K>): this {
    const action = { at: this.clock, kind, data: data ?? {} } as TraceActionOf<K>;
    this.actions.push(action as TraceAction);
    return this;
  }

  /** The runner stalled for `ms` up to now (its heartbeat ran late; see `Trace.stalls`). */
  stalled(ms: number): this {
    (this.stalls ??= []).push({ from: this.clock - ms, to: this.clock });
    return this;
  }

  /** A harness error line. */
  harnessError(message: string): this {
    this.harnessErrors.push(message);
    return this;
  }

  // -------------------------------------------------------------------------------------------
  // Client events

  /** `session.update` (flat shape by default). */
  sessionUpdate(session: Json = { voice: 'mal-female' }): this {
    return this.client({ type: 'session.update', session });
  }

  /** `input_audio_buffer.append` of `ms` of silence (or of the given base64). */
  append(ms = 20, audio?: string): this {
    return this.client({
      type: 'input_audio_buffer.append',
      audio: audio ?? Buffer.alloc(Math.round(ms * BYTES_PER_MS)).toString('base64'),
    });
  }

  /**
   * Streams `totalMs` of audio in `chunkMs` appends, one every `everyMs` (default `chunkMs`,
   * real time), advancing the clock; the clock ends `everyMs` after the last append.
   */
  stream(totalMs: number, chunkMs = 20, everyMs = chunkMs): this {
    for (let sent = 0; sent < totalMs; sent += chunkMs) {
      this.append(Math.min(chunkMs, totalMs - sent));
      this.wait(everyMs);
    }
    return this;
  }

  /** A client `function_call_output`. */
  toolOutput(callId: string, output: unknown = '{}'): this {
    return this.client({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: callId, output },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Server events

  /** `session.created`. */
  sessionCreated(): this {
    const c = this.connections[this.current - 1];
    return this.server({
      type: 'session.created',
      session: { id: c?.session ?? 'sess', object: 'realtime.session', model: this.model },
    });
  }

  /** `session.updated`. */
  sessionUpdated(): this {
    const c = this.connections[this.current - 1];
    return this.server({
      type: 'session.updated',
      session: { id: c?.session ?? 'sess', object: 'realtime.session', model: this.model },
    });
  }

  /** Opens a connection and plays a well-behaved set-up: created, update, updated. */
  handshake(session?: Json): this {
    return this.open().sessionCreated().sessionUpdate(session).sessionUpdated();
  }

  /** `input_audio_buffer.speech_started`. */
  speechStarted(itemId = `item_user_${this.frames.length}`, audioStartMs = 0): this {
    return this.server({
      type: 'input_audio_buffer.speech_started',
      audio_start_ms: audioStartMs,
      item_id: itemId,
    });
  }

  /** `input_audio_buffer.speech_stopped`. */
  speechStopped(itemId = `item_user_${this.frames.length}`, audioEndMs = 0): this {
    return this.server({
      type: 'input_audio_buffer.speech_stopped',
      audio_end_ms: audioEndMs,
      item_id: itemId,
    });
  }

  /** `response.created`. */
  responseCreated(id: string): this {
    return this.server({
      type: 'response.created',
      response: {
        id,
        object: 'realtime.response',
        status: 'in_progress',
        status_details: null,
        output: [],
        usage: null,
      },
    });
  }

  /** `response.output_audio.delta` carrying `ms` of silence (or the given base64). */
  delta(responseId: string, ms = 100, options: { itemId?: string; audio?: string } = {}): this {
    return this.server({
      type: 'response.output_audio.delta',
      response_id: responseId,
      item_id: options.itemId ?? `item_${responseId}`,
      output_index: 0,
      content_index: 0,
      delta: options.audio ?? Buffer.alloc(Math.round(ms * BYTES_PER_MS)).toString('base64'),
    });
  }

  /** `response.output_audio_transcript.delta`. */
  transcriptDelta(responseId: string, text: string, itemId = `item_${responseId}`): this {
    return this.server({
      type: 'response.output_audio_transcript.delta',
      response_id: responseId,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      delta: text,
    });
  }

  /** `response.done` with a final status. */
  responseDone(
    id: string,
    status: 'completed' | 'cancelled' | 'failed' | 'incomplete' = 'completed',
    reason?: string,
  ): this {
    return this.server({
      type: 'response.done',
      response: {
        id,
        object: 'realtime.response',
        status,
        status_details:
          status === 'completed' ? null : { type: status, reason: reason ?? defaultReason(status) },
        output: [],
        usage: null,
      },
    });
  }

  /** `response.function_call_arguments.done`. */
  toolCall(call: {
    callId: string;
    name?: string;
    args?: string;
    responseId?: string;
    itemId?: string;
  }): this {
    return this.server({
      type: 'response.function_call_arguments.done',
      response_id: call.responseId ?? 'resp_tool',
      item_id: call.itemId ?? `item_${call.callId}`,
      output_index: 0,
      call_id: call.callId,
      name: call.name ?? 'get_weather',
      arguments: call.args ?? '{"city":"Kochi"}',
    });
  }

  /** `conversation.item.input_audio_transcription.completed`. */
  userTranscript(itemId: string, transcript: string): this {
    return this.server({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: itemId,
      content_index: 0,
      transcript,
    });
  }

  /** An `error` event. */
  error(code: string, message = `error ${code}`, extra: Json = {}): this {
    return this.server({
      type: 'error',
      error: { type: 'invalid_request_error', code, message, ...extra },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Observations

  /** `audio.played` of `ms` of a response, arriving now (now = its last sample). */
  played(responseId: string, ms: number, extra: Json = {}): this {
    return this.observe('audio.played', {
      response_id: responseId,
      item_id: `item_${responseId}`,
      bytes: Math.round(ms * BYTES_PER_MS),
      ...extra,
    });
  }

  /**
   * Plays `totalMs` of a response through the virtual speaker in `chunkMs` chunks, advancing the
   * clock by each chunk before reporting it (the speaker is real time whatever the speed).
   */
  play(responseId: string, totalMs: number, chunkMs = 100): this {
    for (let done = 0; done < totalMs; done += chunkMs) {
      const ms = Math.min(chunkMs, totalMs - done);
      this.wait(ms).played(responseId, ms);
    }
    return this;
  }

  /** `playback.stopped`. */
  playbackStopped(reason: string, responseIds?: readonly string[], droppedBytes = 0): this {
    return this.observe('playback.stopped', {
      reason,
      droppedBytes,
      ...(responseIds ? { response_ids: [...responseIds] } : {}),
    });
  }

  /** `connection`. */
  connectionState(state: string, attempt = 1, extra: Json = {}): this {
    return this.observe('connection', { state, attempt, ...extra });
  }

  /** An app-side `error` observation. */
  appError(kind: string, code: string | undefined, message = 'error', extra: Json = {}): this {
    return this.observe('error', {
      kind,
      message,
      ...(code !== undefined ? { code } : {}),
      ...extra,
    });
  }

  /** The built trace (a fresh copy; the builder may go on). */
  build(): Trace {
    const times = [
      this.clock,
      ...this.frames.map((f) => f.at),
      ...this.observations.map((o) => o.at),
      ...this.actions.map((a) => a.at),
    ];
    return {
      scenario: this.options.scenario ?? 'test',
      startedAt: this.startedAt,
      endedAt: Math.max(...times),
      drive: this.options.drive ?? 'adapter',
      features: [...(this.options.features ?? [])],
      model: this.model,
      ...(this.options.speed !== undefined ? { speed: this.options.speed } : {}),
      connections: this.connections.map((c) => ({ ...c })),
      frames: this.frames.map((f) => ({ ...f })),
      observations: this.observations.map((o) => ({ ...o })),
      actions: this.actions.map((a) => ({ ...a })),
      harnessErrors: [...this.harnessErrors],
      ...(this.stalls ? { stalls: this.stalls.map((x) => ({ ...x })) } : {}),
    };
  }

  private get model(): string {
    return this.options.model ?? 'mal-realtime-simple';
  }

  private requireConnection(): void {
    if (this.current === 0) throw new Error('no connection: call open() before adding frames');
  }

  private frame(dir: 'in' | 'out', event: Json | string): this {
    this.requireConnection();
    const text = typeof event === 'string' ? event : JSON.stringify(event);
    this.frames.push(traceFrame(this.clock, dir, this.current, text));
    return this;
  }
}

function defaultReason(status: 'cancelled' | 'failed' | 'incomplete'): string {
  if (status === 'cancelled') return 'turn_detected';
  return status === 'failed' ? 'error' : 'max_output_tokens';
}

/** A new {@link TraceBuilder}. */
export function traceBuilder(options?: TraceBuilderOptions): TraceBuilder {
  return new TraceBuilder(options);
}
