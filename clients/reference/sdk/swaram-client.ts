import WebSocket from 'ws';
import { AudioChunker } from './audio-chunker.js';
import { ExponentialBackoff, type BackoffPolicy } from './backoff.js';
import { realClock, type Clock } from './clock.js';
import { decodePcm16, encodePcm16, msToBytes } from './pcm16.js';
import { NullPlayer, type Player } from './player.js';
import {
  SwaramError,
  classifyClose,
  classifyServerError,
  type CloseDecision,
  type ErrorKind,
} from './swaram-error.js';
import { ToolDispatcher, type ToolCall, type ToolHandler } from './tool-dispatcher.js';
import { TypedEmitter } from './typed-emitter.js';

// ---------------------------------------------------------------------------------------------
// Public types

/** A function tool the model may call (sent in `session.update`). */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** swaram's flat session settings (protocol §4, `session.update`). */
export interface SessionConfig {
  readonly instructions?: string;
  /** `mal-female` (swaram's default) or `mal-male`. */
  readonly voice?: string;
  readonly tools?: readonly ToolDefinition[];
  /** `auto` (default), `none` or `required`. */
  readonly tool_choice?: string;
  readonly turn_detection?: Readonly<Record<string, unknown>> | null;
}

/** The 7 client events swaram supports; the client never sends anything else. */
export type ClientMessage =
  | { type: 'session.update'; event_id?: string; session: Record<string, unknown> }
  | { type: 'input_audio_buffer.append'; event_id?: string; audio: string }
  | { type: 'input_audio_buffer.commit'; event_id?: string }
  | { type: 'input_audio_buffer.clear'; event_id?: string }
  | { type: 'response.create'; event_id?: string; response?: Record<string, unknown> }
  | { type: 'response.cancel'; event_id?: string; response_id?: string }
  | {
      type: 'conversation.item.create';
      event_id?: string;
      item: { type: 'function_call_output'; call_id: string; output: string };
    };

/** A server event as received: known fields are checked where they are used. */
export type ServerMessage = { readonly type: string } & Readonly<Record<string, unknown>>;

/**
 * The connection as the app sees it. `ready`: settings acknowledged, audio flows;
 * `reconnecting`: lost, a retry is scheduled; `closed`: for good.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'ready' | 'reconnecting' | 'closed';

export interface ConnectionEvent {
  readonly state: Exclude<ConnectionState, 'idle'>;
  /** Which connection of the session: 1, then 2 for the first reconnect… */
  readonly attempt: number;
  readonly code?: number;
  readonly reason?: string;
  /** On `reconnecting`: the wait before the next attempt. */
  readonly delayMs?: number;
  readonly by?: 'client' | 'server' | 'network';
}

export interface TranscriptEvent {
  readonly role: 'user' | 'assistant';
  readonly itemId: string;
  readonly responseId?: string;
  /** All the text of the item so far. */
  readonly text: string;
  /** The newest piece (assistant partials). */
  readonly delta?: string;
  readonly final: boolean;
}

export interface ResponseEvent {
  readonly responseId: string;
  /** `completed`, `cancelled`, `failed` or `incomplete` (as swaram sent it). */
  readonly status: string;
  /** `status_details.reason`, e.g. `turn_detected`, `client_cancelled`. */
  readonly reason?: string;
}

export interface AudioDroppedEvent {
  /** `malformed`: not playable PCM16; `stale`: its response was cancelled or finished. */
  readonly reason: 'malformed' | 'stale';
  readonly responseId?: string;
  readonly itemId?: string;
  readonly bytes?: number;
  readonly detail: string;
}

/** Events of {@link SwaramClient}. */
export interface SwaramClientEvents {
  connection: [ConnectionEvent];
  error: [SwaramError];
  transcript: [TranscriptEvent];
  response: [ResponseEvent];
  audioDropped: [AudioDroppedEvent];
  /** Every server event, after the client handled it. */
  serverEvent: [ServerMessage];
}

/** How the client opens its WebSocket (injectable for tests and other runtimes). */
export type SocketFactory = (
  url: string,
  protocols: string[],
  headers: Record<string, string>,
) => WebSocket;

/** Options of {@link SwaramClient}, with their defaults. */
export interface SwaramClientOptions {
  /** The realtime endpoint, e.g. `wss://api.swaram.ai/v1/realtime`; `model` is added. */
  readonly url: string;
  /** A secret key (`swaram_…`) or an ephemeral token (`swaram_ek_…`). */
  readonly apiKey: string;
  /** Default `mal-realtime-simple`. */
  readonly model?: string;
  /** The settings sent first on every connection. */
  readonly session?: SessionConfig;
  /** The app's tools by name, or a dispatcher. */
  readonly tools?: Readonly<Record<string, ToolHandler>> | ToolDispatcher;
  /** Where reply audio goes. Default: discarded ({@link NullPlayer}). */
  readonly player?: Player;
  /** Default {@link realClock}. */
  readonly clock?: Clock;
  /** Retry schedule after transient failures. Default {@link ExponentialBackoff}. */
  readonly backoff?: BackoffPolicy;
  /** Reconnect on transient failures. Default `true`. */
  readonly reconnect?: boolean;
  /** How microphone audio is cut. Default 40 ms chunks. */
  readonly chunker?: AudioChunker;
  /** Audio kept while the session is not ready (older audio is dropped). Default 1 000 ms. */
  readonly preReadyBufferMs?: number;
  /** How long `session.updated` may take before the app is told. Default 10 000 ms. */
  readonly sessionAckTimeoutMs?: number;
  /** Ping interval for liveness; 0 disables. Default 15 000 ms. */
  readonly pingIntervalMs?: number;
  /** A connection with no pong (or any frame) this long after a ping is dead. Default 10 000. */
  readonly pongTimeoutMs?: number;
  /** A tool that has not answered by then gets an error output. Default 30 000 ms; 0: never. */
  readonly toolTimeoutMs?: number;
  /** How the key travels. Default `header` (`Authorization: Bearer`). */
  readonly auth?: 'header' | 'query' | 'subprotocol';
  /** Audio is dropped while more than this is waiting in the socket. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** Default: `ws` with the given subprotocols and headers. */
  readonly createSocket?: SocketFactory;
}

// ---------------------------------------------------------------------------------------------

/** What the client tracks per response (ids are per connection, hence `generation`). */
export interface ResponseState {
  readonly id: string;
  readonly generation: number;
  /** No more audio or text of it is played or shown (cancelled, barged in, interrupted). */
  fenced: boolean;
  /** `response.done` was handled. */
  finalized: boolean;
  status?: string;
  /** Assistant text per item id. */
  readonly transcripts: Map<string, string>;
}

type Route = (event: ServerMessage) => void;

/** A set that forgets its oldest members beyond `limit` (memory stays flat). */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly limit: number) {}
  has(key: string): boolean {
    return this.items.has(key);
  }
  add(key: string): void {
    this.items.add(key);
    if (this.items.size > this.limit) {
      const oldest = this.items.values().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
  }
}

const MAX_TRACKED_RESPONSES = 64;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const obj = (value: unknown): Readonly<Record<string, unknown>> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const arr = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

/**
 * A swaram realtime client: one logical voice session over a WebSocket, with reconnection.
 *
 * Feed it microphone audio with {@link SwaramClient.appendAudio}; it plays replies through
 * its {@link Player}, runs tools, and reports connection states, errors, transcripts and
 * response outcomes as events. It follows docs/conformance-rules.md: `session.update` first,
 * no audio before `session.updated`, only swaram's 7 client events, barge-in and per-response
 * fencing, one answer per tool call, backoff with jitter on transient closes, no reconnect
 * after 4001 / 4003 / 4008.
 *
 * Behaviour is split into small protected methods (`route`, `on<Event>`, `bargeIn`,
 * `acceptsDelta`, `closeDecision`, `toolOutputEvent`, `afterToolOutput`, …) and injected
 * strategies (`backoff`, `chunker`, `player`, `tools`, `clock`, `createSocket`), so variants
 * can change one behaviour in a few lines.
 *
 * @example
 * const client = new SwaramClient({ url: 'wss://api.swaram.ai/v1/realtime', apiKey, player });
 * client.on('transcript', (t) => console.log(t.role, t.text));
 * client.connect();
 * mic.on('data', (pcm) => client.appendAudio(pcm));
 */
export class SwaramClient extends TypedEmitter<SwaramClientEvents> {
  protected readonly options: SwaramClientOptions;
  protected readonly clock: Clock;
  protected readonly player: Player;
  protected readonly backoff: BackoffPolicy;
  protected readonly chunker: AudioChunker;
  protected readonly tools: ToolDispatcher;
  protected session: SessionConfig;

  protected socket: WebSocket | undefined;
  /** Connection number within the session (1-based); response and tool state is per value. */
  protected generation = 0;
  /** Consecutive failed attempts since the last ready session. */
  protected failures = 0;
  protected connectionState: ConnectionState = 'idle';
  protected ended = false;
  protected sessionReady = false;
  /** Audio was appended on the current connection (settings are then locked). */
  protected audioSent = false;
  protected bytesSinceCommit = 0;
  protected activeResponseId: string | undefined;
  protected readonly responses = new Map<string, ResponseState>();

  private routeTable: Record<string, Route> | undefined;
  private preReady: Uint8Array[] = [];
  private preReadyBytes = 0;
  private sessionEventId: string | undefined;
  private eventSeq = 0;
  private transientErrorSeen = false;
  private deadConnection = false;
  private socketError: string | undefined;
  private lastActivity = 0;
  private sendQueueFull = false;
  private readonly seenCallIds = new BoundedSet(4096);
  private readonly userTranscripts = new BoundedSet(4096);
  private readonly timers = new Map<string, unknown>();
  private readyWaiters: { resolve: () => void; reject: (err: SwaramError) => void }[] = [];
  private readonly toolTimers = new Set<unknown>();

  constructor(options: SwaramClientOptions) {
    super();
    if (!options.url) throw new TypeError('SwaramClient: options.url is required');
    this.options = options;
    this.clock = options.clock ?? realClock;
    this.player = options.player ?? new NullPlayer();
    this.backoff = options.backoff ?? new ExponentialBackoff();
    this.chunker = options.chunker ?? new AudioChunker();
    this.tools =
      options.tools instanceof ToolDispatcher
        ? options.tools
        : new ToolDispatcher(options.tools ?? {});
    this.session = options.session ?? {};
  }

  // -------------------------------------------------------------------------------------------
  // The app's API

  /** The connection state. */
  get state(): ConnectionState {
    return this.connectionState;
  }

  /** Whether settings are acknowledged and audio flows. */
  get ready(): boolean {
    return this.sessionReady;
  }

  /** Opens the session. Progress arrives as `connection` events; see {@link whenReady}. */
  connect(): void {
    if (this.connectionState !== 'idle') {
      throw new Error('SwaramClient.connect(): already connected once; use a new client');
    }
    this.openSocket();
  }

  /** Resolves when the session is (next) ready; rejects if it closes for good first. */
  whenReady(): Promise<void> {
    if (this.sessionReady) return Promise.resolve();
    if (this.connectionState === 'closed') {
      return Promise.reject(new SwaramError('other', 'closed', 'the session is closed'));
    }
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * Microphone audio: PCM16 24 kHz mono bytes, as captured. Sent in regular chunks once the
   * session is ready; before that, the most recent `preReadyBufferMs` are kept.
   */
  appendAudio(pcm: Uint8Array): void {
    if (this.ended) return;
    for (const chunk of this.chunker.push(pcm)) this.queueAudioChunk(chunk);
  }

  /** The microphone stopped: sends what the chunker still holds. */
  flushAudio(): void {
    if (this.ended) return;
    for (const chunk of this.chunker.flush()) this.queueAudioChunk(chunk);
  }

  /**
   * Push-to-talk release: ends the user's turn with `input_audio_buffer.commit`, only when at
   * least 100 ms of audio went out since the last commit, clear or detected turn end. Never
   * waits for a reply (Premium sends none). Returns whether a commit was sent.
   */
  commit(): boolean {
    this.flushAudio();
    if (!this.sessionReady || this.bytesSinceCommit < msToBytes(100)) return false;
    if (!this.sendEvent({ type: 'input_audio_buffer.commit' })) return false;
    this.bytesSinceCommit = 0;
    return true;
  }

  /** Discards the audio swaram buffered for the current user turn. */
  clearInput(): boolean {
    this.chunker.reset();
    if (!this.sessionReady) return false;
    this.bytesSinceCommit = 0;
    return this.sendEvent({ type: 'input_audio_buffer.clear' });
  }

  /**
   * The user pressed "stop": playback stops at once, and the reply in flight (if any) is
   * cancelled and fenced. Returns whether a `response.cancel` was sent.
   */
  interrupt(): boolean {
    this.player.stop('interrupt');
    const id = this.activeResponseId;
    const state = id === undefined ? undefined : this.responses.get(id);
    // Nothing in flight, or swaram is already cancelling it (barge-in, an earlier interrupt).
    if (!id || !state || state.finalized || state.fenced) return false;
    state.fenced = true;
    return this.sendEvent({
      type: 'response.cancel',
      event_id: this.nextEventId(),
      response_id: id,
    });
  }

  /**
   * Changes settings before the conversation starts. Refused (with a `session` error) once
   * audio went out on this connection: swaram fixes settings at the start.
   */
  updateSession(patch: SessionConfig): boolean {
    if (this.audioSent) {
      this.emitError('session', 'session_locked', 'settings cannot change once audio was sent');
      return false;
    }
    this.session = { ...this.session, ...patch };
    if (this.socket?.readyState === WebSocket.OPEN) this.sendEvent(this.sessionUpdateEvent());
    return true;
  }

  /** Ends the session: playback stops, the socket closes with 1000, nothing is sent after. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.clearTimers();
    for (const timer of this.toolTimers) this.clock.clearTimeout(timer);
    this.toolTimers.clear();
    this.player.stop('end');
    this.preReady = [];
    this.preReadyBytes = 0;
    const socket = this.socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.close(1000, 'session ended');
    } else if (socket && socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
    } else if (this.connectionState === 'idle') {
      this.connectionState = 'closed';
    } else if (this.connectionState !== 'closed') {
      this.finish({ state: 'closed', attempt: this.generation, code: 1000, by: 'client' });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Connection

  /** Opens connection number `generation + 1`, with fresh per-connection state. */
  protected openSocket(): void {
    this.generation++;
    this.responses.clear();
    this.activeResponseId = undefined;
    this.sessionReady = false;
    this.audioSent = false;
    this.bytesSinceCommit = 0;
    this.transientErrorSeen = false;
    this.deadConnection = false;
    this.socketError = undefined;
    this.sendQueueFull = false;
    this.setState({ state: 'connecting', attempt: this.generation });

    const { url, protocols, headers } = this.connectParams();
    let socket: WebSocket;
    try {
      socket = (this.options.createSocket ?? defaultSocketFactory)(url, protocols, headers);
    } catch (err) {
      this.socketError = (err as Error).message;
      this.clock.setTimeout(() => this.onSocketClose(undefined, 1006, ''), 0);
      return;
    }
    this.socket = socket;
    socket.on('open', () => {
      if (socket === this.socket) this.onSocketOpen();
    });
    socket.on('message', (data, isBinary) => {
      if (socket === this.socket) this.onSocketMessage(data, isBinary);
    });
    socket.on('pong', () => {
      this.lastActivity = this.clock.now();
    });
    socket.on('error', (err) => {
      if (socket === this.socket) this.socketError = err.message;
    });
    socket.on('close', (code, reason) => this.onSocketClose(socket, code, reason.toString()));
  }

  /** URL, subprotocols and headers of a connection attempt. */
  protected connectParams(): {
    url: string;
    protocols: string[];
    headers: Record<string, string>;
  } {
    const url = new URL(this.options.url);
    url.searchParams.set('model', this.options.model ?? 'mal-realtime-simple');
    const auth = this.options.auth ?? 'header';
    if (auth === 'query') url.searchParams.set('api_key', this.options.apiKey);
    return {
      url: url.toString(),
      protocols:
        auth === 'subprotocol'
          ? ['realtime', `openai-insecure-api-key.${this.options.apiKey}`]
          : [],
      headers: auth === 'header' ? { Authorization: `Bearer ${this.options.apiKey}` } : {},
    };
  }

  /** The socket is open: settings go first, then the client waits for `session.updated`. */
  protected onSocketOpen(): void {
    this.lastActivity = this.clock.now();
    this.setState({ state: 'open', attempt: this.generation });
    this.sendEvent(this.sessionUpdateEvent());
    const ackMs = this.options.sessionAckTimeoutMs ?? 10_000;
    if (ackMs > 0) {
      this.setTimer('ack', ackMs, () => {
        if (!this.sessionReady) {
          this.emitError(
            'session',
            'session_ack_timeout',
            `no session.updated within ${ackMs} ms; audio is held until it arrives`,
          );
        }
      });
    }
    this.startLiveness();
  }

  /** `session.update` in swaram's flat shape, with only the settings the app gave. */
  protected sessionUpdateEvent(): ClientMessage {
    const s = this.session;
    const session: Record<string, unknown> = {};
    if (s.instructions !== undefined) session.instructions = s.instructions;
    if (s.voice !== undefined) session.voice = s.voice;
    if (s.tools !== undefined) {
      session.tools = s.tools.map((t) => ({
        type: 'function',
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        parameters: t.parameters,
      }));
    }
    if (s.tool_choice !== undefined) session.tool_choice = s.tool_choice;
    if (s.turn_detection !== undefined) session.turn_detection = s.turn_detection;
    this.sessionEventId = this.nextEventId();
    return { type: 'session.update', event_id: this.sessionEventId, session };
  }

  private startLiveness(): void {
    const interval = this.options.pingIntervalMs ?? 15_000;
    const timeout = this.options.pongTimeoutMs ?? 10_000;
    if (interval <= 0) return;
    const tick = () => {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      const sentAt = this.clock.now();
      try {
        socket.ping();
      } catch {
        return;
      }
      this.setTimer('pong', timeout, () => {
        if (socket === this.socket && this.lastActivity < sentAt) {
          this.deadConnection = true;
          socket.terminate();
        }
      });
      this.setTimer('ping', interval, tick);
    };
    this.setTimer('ping', interval, tick);
  }

  private onSocketClose(socket: WebSocket | undefined, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.sessionReady = false;
    this.clearTimers();
    // Replies in flight on this connection will never finish: nothing more is accepted for them.
    for (const state of this.responses.values()) state.fenced = true;
    this.activeResponseId = undefined;

    if (this.ended) {
      this.finish({ state: 'closed', attempt: this.generation, code, by: 'client' });
      return;
    }
    const decision = this.closeDecision(code, reason);
    if (decision.error) this.emit('error', decision.error);
    if (decision.reconnect && (this.options.reconnect ?? true)) {
      this.scheduleReconnect(code, decision);
    } else {
      this.ended = true;
      this.finish({
        state: 'closed',
        attempt: this.generation,
        code,
        by: decision.by,
        ...(reason ? { reason } : {}),
      });
    }
  }

  /** What to do about a close: see {@link classifyClose}. Override to change the policy. */
  protected closeDecision(code: number, reason: string): CloseDecision {
    return classifyClose(code, {
      reason,
      transientErrorSeen: this.transientErrorSeen,
      deadConnection: this.deadConnection,
      ...(this.socketError !== undefined ? { socketError: this.socketError } : {}),
    });
  }

  /** Schedules the next attempt after the backoff delay, or gives up. */
  protected scheduleReconnect(code: number, decision: CloseDecision): void {
    this.failures++;
    const delay = this.backoff.delayMs(this.failures);
    if (delay === undefined) {
      this.ended = true;
      this.emit(
        'error',
        new SwaramError(
          decision.error?.kind ?? 'network',
          'reconnect_exhausted',
          `gave up after ${this.failures - 1} reconnection attempts`,
          true,
          { closeCode: code },
        ),
      );
      this.finish({ state: 'closed', attempt: this.generation, code, by: decision.by });
      return;
    }
    this.setState({
      state: 'reconnecting',
      attempt: this.generation + 1,
      code,
      delayMs: delay,
      by: decision.by,
    });
    this.setTimer('reconnect', delay, () => {
      if (!this.ended) this.openSocket();
    });
  }

  private finish(event: ConnectionEvent): void {
    this.setState(event);
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    const err = new SwaramError('other', 'closed', 'the session closed before it was ready');
    for (const waiter of waiters) waiter.reject(err);
  }

  protected setState(event: ConnectionEvent): void {
    this.connectionState = event.state;
    this.emit('connection', event);
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /**
   * Sends one client event; returns false when the socket is not open (or the session ended).
   * The only way the client writes to the socket.
   */
  protected sendEvent(event: ClientMessage): boolean {
    const socket = this.socket;
    if (this.ended || !socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(event));
    return true;
  }

  /** Sends a chunk now if the session is ready, else keeps it (bounded, oldest dropped). */
  protected queueAudioChunk(chunk: Uint8Array): void {
    if (this.audioGateOpen()) {
      this.sendAudioChunk(chunk);
      return;
    }
    this.preReady.push(chunk);
    this.preReadyBytes += chunk.length;
    const max = msToBytes(this.options.preReadyBufferMs ?? 1_000);
    while (this.preReadyBytes > max && this.preReady.length > 0) {
      this.preReadyBytes -= this.preReady.shift()?.length ?? 0;
    }
  }

  /** Whether microphone audio may go on the wire now: only after `session.updated`. */
  protected audioGateOpen(): boolean {
    return this.sessionReady && this.socket?.readyState === WebSocket.OPEN;
  }

  protected sendAudioChunk(chunk: Uint8Array): void {
    const socket = this.socket;
    const limit = this.options.maxBufferedBytes ?? 1024 * 1024;
    if (socket && socket.bufferedAmount > limit) {
      if (!this.sendQueueFull) {
        this.sendQueueFull = true;
        this.emitError(
          'audio',
          'send_queue_full',
          'the link is too slow: microphone audio is being dropped',
        );
      }
      return;
    }
    this.sendQueueFull = false;
    if (this.sendEvent({ type: 'input_audio_buffer.append', audio: encodePcm16(chunk) })) {
      this.audioSent = true;
      this.bytesSinceCommit += chunk.length;
    }
  }

  private flushPreReady(): void {
    const queued = this.preReady;
    this.preReady = [];
    this.preReadyBytes = 0;
    for (const chunk of queued) this.sendAudioChunk(chunk);
  }

  protected nextEventId(): string {
    return `evt_client_${(++this.eventSeq).toString(36)}`;
  }

  // -------------------------------------------------------------------------------------------
  // Receiving

  private onSocketMessage(data: WebSocket.RawData, isBinary: boolean): void {
    this.lastActivity = this.clock.now();
    if (isBinary) return; // swaram sends text frames only
    let event: unknown;
    try {
      event = JSON.parse(rawToString(data));
    } catch {
      this.emitError(
        'protocol',
        'invalid_server_message',
        'the server sent a frame that is not JSON',
      );
      return;
    }
    const type = obj(event).type;
    if (typeof type !== 'string') return;
    const message = event as ServerMessage;
    try {
      this.route(message);
    } catch (err) {
      this.emitError(
        'other',
        'client_error',
        `handling ${type} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    this.emit('serverEvent', message);
  }

  /** Hands a server event to its handler; unknown types go to {@link onUnknownEvent}. */
  protected route(event: ServerMessage): void {
    this.routeTable ??= this.routes();
    const handler = Object.hasOwn(this.routeTable, event.type)
      ? this.routeTable[event.type]
      : undefined;
    if (handler) handler(event);
    else this.onUnknownEvent(event);
  }

  /** The server event types the client handles, and their handlers. */
  protected routes(): Record<string, Route> {
    return {
      'session.created': (e) => this.onSessionCreated(e),
      'session.updated': (e) => this.onSessionUpdated(e),
      'input_audio_buffer.speech_started': (e) => this.onSpeechStarted(e),
      'input_audio_buffer.speech_stopped': (e) => this.onSpeechStopped(e),
      'conversation.item.input_audio_transcription.completed': (e) => this.onUserTranscript(e),
      'conversation.item.created': (e) => this.onItemCreated(e),
      'response.created': (e) => this.onResponseCreated(e),
      'response.output_audio.delta': (e) => this.onAudioDelta(e),
      'response.output_audio_transcript.delta': (e) => this.onTranscriptDelta(e),
      'response.function_call_arguments.done': (e) => this.onFunctionCallArgumentsDone(e),
      'response.done': (e) => this.onResponseDone(e),
      error: (e) => this.onErrorEvent(e),
    };
  }

  /** Unknown and OpenAI-only events are ignored: swaram may add events at any time. */
  protected onUnknownEvent(_event: ServerMessage): void {}

  protected onSessionCreated(_event: ServerMessage): void {}

  /** Settings acknowledged: the session is ready and held audio goes out. */
  protected onSessionUpdated(_event: ServerMessage): void {
    if (this.sessionReady || !this.socket) return;
    this.sessionReady = true;
    this.clearTimer('ack');
    this.failures = 0;
    this.setState({ state: 'ready', attempt: this.generation });
    this.flushPreReady();
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  protected onSpeechStarted(_event: ServerMessage): void {
    this.bargeIn();
  }

  /**
   * The user started talking: playback stops now and every queued sample is dropped (also
   * of replies already done but still playing); the reply in flight is fenced, since swaram
   * cancels it on its own.
   */
  protected bargeIn(): void {
    this.player.stop('barge-in');
    const id = this.activeResponseId;
    const state = id === undefined ? undefined : this.responses.get(id);
    if (state) state.fenced = true;
  }

  /** swaram ended the user's turn (it committed the audio itself). */
  protected onSpeechStopped(_event: ServerMessage): void {
    this.bytesSinceCommit = 0;
  }

  /** One transcript per user turn, attributed by `item_id`, whenever it arrives. */
  protected onUserTranscript(event: ServerMessage): void {
    const itemId = str(event.item_id);
    const text = event.transcript;
    if (!itemId || typeof text !== 'string') return;
    const key = `${this.generation}/${itemId}`;
    if (this.userTranscripts.has(key)) return;
    this.userTranscripts.add(key);
    this.emit('transcript', { role: 'user', itemId, text, final: true });
  }

  protected onItemCreated(_event: ServerMessage): void {}

  protected onResponseCreated(event: ServerMessage): void {
    const id = str(obj(event.response).id);
    if (!id) return;
    this.responseState(id);
    this.activeResponseId = id;
  }

  /** Plays a delta if its response is live and its audio is valid; else drops and reports. */
  protected onAudioDelta(event: ServerMessage): void {
    const responseId = str(event.response_id);
    const itemId = str(event.item_id) ?? '';
    if (!responseId) {
      this.dropAudio({ reason: 'malformed', itemId, detail: 'a delta without response_id' });
      return;
    }
    if (!this.acceptsDelta(responseId)) {
      const bytes = typeof event.delta === 'string' ? Math.floor((event.delta.length * 3) / 4) : 0;
      this.dropAudio({
        reason: 'stale',
        responseId,
        itemId,
        bytes,
        detail: 'a delta of a response that was cancelled or is finished',
      });
      return;
    }
    const decoded = decodePcm16(event.delta);
    if (!decoded.ok) {
      this.dropAudio({ reason: 'malformed', responseId, itemId, detail: decoded.reason });
      return;
    }
    this.player.enqueue({ responseId, itemId, generation: this.generation, pcm: decoded.pcm });
  }

  /** Whether audio and text of `responseId` are still wanted (the stale-delta fence). */
  protected acceptsDelta(responseId: string): boolean {
    const state = this.responses.get(responseId);
    return !state || (!state.fenced && !state.finalized);
  }

  protected dropAudio(event: AudioDroppedEvent): void {
    this.emit('audioDropped', event);
  }

  /** Accumulates assistant text per item; fenced responses show nothing more. */
  protected onTranscriptDelta(event: ServerMessage): void {
    const responseId = str(event.response_id);
    const itemId = str(event.item_id);
    const delta = event.delta;
    if (!responseId || !itemId || typeof delta !== 'string') return;
    if (!this.acceptsDelta(responseId)) return;
    const state = this.responseState(responseId);
    const text = (state.transcripts.get(itemId) ?? '') + delta;
    state.transcripts.set(itemId, text);
    this.emit('transcript', { role: 'assistant', itemId, responseId, text, delta, final: false });
  }

  /** swaram wants a tool: acted on here, since swaram sends no `response.output_item.done`. */
  protected onFunctionCallArgumentsDone(event: ServerMessage): void {
    const callId = str(event.call_id);
    if (!callId) {
      this.emitError(
        'protocol',
        'missing_call_id',
        'a tool call without call_id cannot be answered',
      );
      return;
    }
    const args = event.arguments;
    this.dispatchToolCall({
      callId,
      name: typeof event.name === 'string' ? event.name : '',
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      ...(str(event.item_id) ? { itemId: str(event.item_id) } : {}),
      ...(str(event.response_id) ? { responseId: str(event.response_id) } : {}),
    });
  }

  /** A reply ended: final transcripts, the outcome once, and any tool call it carries. */
  protected onResponseDone(event: ServerMessage): void {
    const response = obj(event.response);
    const id = str(response.id);
    if (!id) return;
    const state = this.responseState(id);
    if (state.finalized) return;
    const status = str(response.status) ?? 'unknown';
    const reason = str(obj(response.status_details).reason);
    state.finalized = true;
    state.status = status;
    if (this.activeResponseId === id) this.activeResponseId = undefined;

    if (status === 'completed') {
      for (const item of arr(response.output).map(obj)) {
        const callId = str(item.call_id);
        if (item.type !== 'function_call' || !callId || item.status === 'incomplete') continue;
        this.dispatchToolCall({
          callId,
          name: typeof item.name === 'string' ? item.name : '',
          arguments: typeof item.arguments === 'string' ? item.arguments : '{}',
          ...(str(item.id) ? { itemId: str(item.id) } : {}),
          responseId: id,
        });
      }
    }
    if (status === 'cancelled' && !state.fenced) {
      this.player.dropResponse(id, state.generation, 'cancelled');
    }
    for (const [itemId, text] of state.transcripts) {
      this.emit('transcript', { role: 'assistant', itemId, responseId: id, text, final: true });
    }
    this.emit('response', { responseId: id, status, ...(reason ? { reason } : {}) });
    this.pruneResponses();
  }

  /**
   * swaram's `error` event: reported to the app, never fatal by itself. A transient
   * `server_error` makes a following close a reason to reconnect.
   */
  protected onErrorEvent(event: ServerMessage): void {
    const error = obj(event.error);
    const code = str(error.code) ?? 'unknown_error';
    const type = str(error.type);
    const eventId = str(error.event_id);
    const kind = classifyServerError(
      { code, ...(type ? { type } : {}) },
      { isSessionUpdate: eventId !== undefined && eventId === this.sessionEventId },
    );
    if (kind === 'transient') this.transientErrorSeen = true;
    if (code === 'response_cancel_not_active') this.activeResponseId = undefined;
    this.emit(
      'error',
      new SwaramError(kind, code, str(error.message) ?? code, false, eventId ? { eventId } : {}),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Tools

  /**
   * Runs a call once (by `call_id`, across reconnects) and answers it on the connection it
   * came from; a result that arrives after that connection is gone is dropped.
   */
  protected dispatchToolCall(call: ToolCall): void {
    if (this.seenCallIds.has(call.callId)) return;
    this.seenCallIds.add(call.callId);
    const generation = this.generation;
    let settled = false;
    const timeoutMs = this.options.toolTimeoutMs ?? 30_000;
    let timer: unknown;
    const settle = (outcome: { output: string; failure?: { code: string; message: string } }) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) {
        this.clock.clearTimeout(timer);
        this.toolTimers.delete(timer);
      }
      if (outcome.failure) {
        this.emitError('tool', outcome.failure.code, `${call.name}: ${outcome.failure.message}`);
      }
      this.deliverToolOutput(call, outcome.output, generation);
    };
    if (timeoutMs > 0) {
      timer = this.clock.setTimeout(
        () => settle(this.tools.failure('tool_timeout', `no result within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.toolTimers.add(timer);
    }
    void this.tools.run(call).then(settle);
  }

  protected deliverToolOutput(call: ToolCall, output: string, generation: number): void {
    if (this.ended) return;
    if (generation !== this.generation) {
      this.emitError(
        'tool',
        'stale_tool_result',
        `the result of ${call.callId} was not sent: its connection is gone`,
      );
      return;
    }
    if (this.sendEvent(this.toolOutputEvent(call, output))) this.afterToolOutput(call);
  }

  /** The answer to a call: a `function_call_output` item with the call's `call_id`. */
  protected toolOutputEvent(call: ToolCall, output: string): ClientMessage {
    return {
      type: 'conversation.item.create',
      event_id: this.nextEventId(),
      item: { type: 'function_call_output', call_id: call.callId, output },
    };
  }

  /** After a tool answer: nothing (swaram continues on its own; no `response.create`). */
  protected afterToolOutput(_call: ToolCall): void {}

  // -------------------------------------------------------------------------------------------
  // Helpers

  protected responseState(id: string): ResponseState {
    let state = this.responses.get(id);
    if (!state) {
      state = {
        id,
        generation: this.generation,
        fenced: false,
        finalized: false,
        transcripts: new Map(),
      };
      this.responses.set(id, state);
    }
    return state;
  }

  /** Keeps the response map small: the oldest finished responses are forgotten. */
  private pruneResponses(): void {
    if (this.responses.size <= MAX_TRACKED_RESPONSES) return;
    for (const [id, state] of this.responses) {
      if (this.responses.size <= MAX_TRACKED_RESPONSES) break;
      if (state.finalized) this.responses.delete(id);
    }
  }

  protected emitError(kind: ErrorKind, code: string, message: string, fatal = false): void {
    this.emit('error', new SwaramError(kind, code, message, fatal));
  }

  private setTimer(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    this.timers.set(
      name,
      this.clock.setTimeout(() => {
        this.timers.delete(name);
        fn();
      }, ms),
    );
  }

  private clearTimer(name: string): void {
    const handle = this.timers.get(name);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.timers.delete(name);
  }

  private clearTimers(): void {
    for (const name of [...this.timers.keys()]) this.clearTimer(name);
  }
}

const defaultSocketFactory: SocketFactory = (url, protocols, headers) =>
  new WebSocket(url, protocols, { headers, perMessageDeflate: false, handshakeTimeout: 10_000 });

function rawToString(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
