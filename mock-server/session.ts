import { BYTES_PER_MS, ReusedPcmDecoder } from '../protocol/audio/index.js';
import { parseClientEvent, type TextFrame } from '../protocol/codec.js';
import type {
  ClientEvent,
  ClientEventOf,
  FinishedResponse,
  Item,
  MessageItem,
  ServerEvent,
  ServerSession,
  Usage,
} from '../protocol/events.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorCode, errorCodeForViolation } from '../protocol/error-codes.js';
import type { FaultStage } from './faults.js';
import { MAX_JSON_DEPTH, nestingDepth } from '../protocol/json-depth.js';
import { unsentError, type IdMaker, type UnsentEvent } from './server-events.js';
import { planReply, type PlanStep, type ReplySource } from './player.js';
import type { ScheduledTask, Scheduler } from './scheduler.js';
import { EnergyVad, type VadEvent, type VadOptions } from './vad.js';
import { turnTaking, type TurnDetectionRefusal, type TurnTaking } from './turn-detection.js';

/** Simple mode takes nudges (commit, clear, response.create); Premium ignores them. */
export type Mode = 'simple' | 'premium';

export const MODEL_MODES: Readonly<Record<string, Mode>> = {
  'mal-realtime-simple': 'simple',
  'mal-realtime-premium': 'premium',
};

export const VOICES = ['mal-female', 'mal-male'] as const;

/** A tool call an assistant response makes. */
export interface ToolCallSource {
  name: string;
  arguments: unknown;
  callId?: string | undefined;
}

/** One assistant response of a fixture turn. */
export interface ResponseSource extends ReplySource {
  toolCall?: ToolCallSource | undefined;
  /** Several calls in one response (when set, `toolCall` is ignored): sent in order. */
  toolCalls?: readonly ToolCallSource[] | undefined;
  status?: 'completed' | 'failed' | 'incomplete' | undefined;
}

/** What a session replays: the fixture's turns (loaded by fixtures/load-fixture.ts). */
export interface SessionScript {
  readonly turns: ReadonlyArray<{
    readonly user: { readonly transcript: string };
    readonly responses: readonly ResponseSource[];
  }>;
}

/** swaram's flat session settings. */
export interface SessionSettings {
  instructions: string;
  voice: string;
  tools: unknown[];
  tool_choice: string;
  turn_detection: Record<string, unknown> | null;
}

/** Shared between every session of one key: seconds of audio left. */
export interface CreditAccount {
  /** Spends `ms` of audio; false once the budget is spent. */
  spend(ms: number): boolean;
}

export interface SessionOptions {
  /** The session id (`sess_…`), also the log's session field. */
  id: string;
  model: string;
  mode: Mode;
  script: SessionScript;
  scheduler: Scheduler;
  /** Sends every outbound event and closes the connection; faults apply there. */
  out: FaultStage;
  /** Replay speed factor: 2 plays replies twice as fast. Default 1. */
  speed?: number;
  vad?: VadOptions;
  /** Settings an ephemeral token locked: the client cannot change them. */
  locked?: Partial<SessionSettings>;
  credits?: CreditAccount;
  /** Ms (fixture time) from the end of the user's speech to its transcript event. Default 300. */
  transcriptDelayMs?: number;
  /** Hears a bug met while handling a client frame (the client gets `server_error`). */
  onInternalError?: (error: unknown) => void;
  /** Makes event and item ids; defaults to per-session counters. */
  ids?: IdMaker;
}

/** What happened in a session, for the terminal summary and the health endpoint. */
export interface SessionStats {
  userTurns: number;
  responses: number;
  cancelled: number;
  toolCalls: number;
  errorsSent: number;
  audioInMs: number;
  audioOutMs: number;
}

interface ActiveResponse {
  id: string;
  itemId: string;
  turn: number;
  index: number;
  source: ResponseSource;
  steps: readonly PlanStep[];
  cursor: number;
  startedAt: number;
  task: ScheduledTask | undefined;
  transcriptSent: string;
  audioItemUsed: boolean;
}

/** One decode buffer for every session's appends (each is consumed before the next). */
const APPEND_DECODER = new ReusedPcmDecoder();

const DEFAULT_SETTINGS: SessionSettings = {
  instructions: '',
  voice: 'mal-female',
  tools: [],
  tool_choice: 'auto',
  turn_detection: { type: 'server_vad' },
};

const PREMIUM_IGNORED = new Set([
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'response.create',
]);

/**
 * One swaram session: client events in, server events out.
 *
 * The transport hands it every text frame; it parses and validates them once, runs the
 * turn-taking of swaram's protocol (server VAD, transcripts, replies streamed from the
 * fixture, tool calls, barge-in, cancel, Simple and Premium nudges) and sends through the
 * fault stage. All waiting goes through the shared scheduler, so a session has no timers of
 * its own and unit tests drive it with a fake clock.
 */
export class Session {
  readonly id: string;
  readonly mode: Mode;
  readonly stats: SessionStats = {
    userTurns: 0,
    responses: 0,
    cancelled: 0,
    toolCalls: 0,
    errorsSent: 0,
    audioInMs: 0,
    audioOutMs: 0,
  };
  private settings: SessionSettings;
  private vad: EnergyVad;
  /** How turns end and replies start, from `turn_detection` (server VAD unless set). */
  private turns: TurnTaking;
  /** Manual turns: the user turn committed and waiting for `response.create`. */
  private committedTurn: number | undefined;
  private readonly speed: number;
  private readonly ids: IdMaker;
  private audioStarted = false;
  /** Bytes appended since the last commit, clear or end of a user turn. */
  private bufferedBytes = 0;
  private userItemId: string | undefined;
  private lastItemId: string | null = null;
  private turnCursor = 0;
  private active: ActiveResponse | undefined;
  /** Calls waiting for their output, by call_id; `responseId`: the response that made them. */
  private readonly pendingCalls = new Map<
    string,
    { turn: number; index: number; itemId: string; responseId: string }
  >();
  /** A response waiting for the active one to end (a tool result arrived meanwhile). */
  private queued: { turn: number; index: number } | undefined;
  private readonly timers = new Set<ScheduledTask>();
  private ended = false;

  constructor(private readonly options: SessionOptions) {
    this.id = options.id;
    this.mode = options.mode;
    this.speed = options.speed ?? 1;
    this.vad = new EnergyVad(options.vad);
    this.settings = { ...DEFAULT_SETTINGS, ...options.locked };
    this.turns = { vad: options.vad ?? {}, createResponse: true, interruptResponse: true };
    // A token may pin turn_detection; a value the mock refuses is left at the default.
    this.applyTurnDetection(this.settings.turn_detection);
    let n = 0;
    this.ids = options.ids ?? ((prefix) => `${prefix}_${options.id.slice(5)}${(++n).toString(36)}`);
  }

  /** The effective settings, in swaram's flat shape. */
  get effectiveSettings(): Readonly<SessionSettings> {
    return this.settings;
  }

  /** True while a reply is being generated. */
  get responding(): boolean {
    return this.active !== undefined;
  }

  /** Sends `session.created`. */
  start(): void {
    this.send({ type: 'session.created', session: this.sessionObject() });
  }

  /**
   * Handles one text frame from the client. Never throws: a bug met while handling it is
   * answered with a `server_error` event (and reported to `onInternalError`), so one bad frame
   * cannot take the server and its other sessions down.
   */
  receiveText(frame: string | TextFrame): void {
    if (this.ended) return;
    try {
      this.handleText(frame);
    } catch (error) {
      this.internalError(error);
    }
  }

  private handleText(frame: string | TextFrame): void {
    const parsed = parseClientEvent(frame);
    if (parsed.type) this.options.out.onClientEvent(parsed.type);
    if (!parsed.ok) {
      const v = parsed.violations[0]!;
      this.sendError(errorCodeForViolation(v), v.message, {
        param: pointerToParam(v.path),
        eventId: parsed.eventId,
      });
      return;
    }
    // Settings are kept and echoed in session.updated: a value too deep to serialise (tool
    // `parameters` are open JSON) is refused here rather than failing on every echo.
    if (
      parsed.type === 'session.update' &&
      nestingDepth(typeof frame === 'string' ? frame : frame.text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH
    ) {
      this.sendError(
        ErrorCode.INVALID_EVENT,
        `session is nested deeper than ${MAX_JSON_DEPTH} levels; settings never need that`,
        { param: 'session', eventId: parsed.eventId },
      );
      return;
    }
    this.dispatch(parsed.event);
  }

  /** Handles a binary frame: swaram speaks JSON text frames only. */
  receiveBinary(): void {
    this.sendError(
      ErrorCode.BINARY_FRAME,
      'binary frames are not supported: send JSON text frames, with audio as base64 inside',
    );
  }

  private internalError(error: unknown): void {
    this.options.onInternalError?.(error);
    this.sendError(
      ErrorCode.SERVER_ERROR,
      'the server failed to handle this message; the session goes on (retry, or reconnect if it persists)',
    );
  }

  /** The connection is gone: stop everything. */
  end(): void {
    this.ended = true;
    if (this.active) this.options.scheduler.cancel(this.active.task);
    this.active = undefined;
    for (const t of this.timers) this.options.scheduler.cancel(t);
    this.timers.clear();
    this.options.out.dispose();
  }

  private dispatch(event: ClientEvent): void {
    if (this.mode === 'premium' && PREMIUM_IGNORED.has(event.type)) return;
    switch (event.type) {
      case 'session.update':
        return this.onSessionUpdate(event);
      case 'input_audio_buffer.append':
        return this.onAppend(event);
      case 'input_audio_buffer.commit':
        return this.onCommit(event);
      case 'input_audio_buffer.clear':
        this.bufferedBytes = 0;
        if (this.vad.inSpeech) this.userItemId = undefined;
        this.vad.reset();
        return;
      case 'response.create':
        return this.onResponseCreate(event);
      case 'response.cancel':
        return this.onResponseCancel(event);
      case 'conversation.item.create':
        return this.onItemCreate(event);
    }
  }

  private onSessionUpdate(event: ClientEventOf<'session.update'>): void {
    if (this.audioStarted) {
      this.sendError(
        ErrorCode.SESSION_LOCKED,
        'session settings are fixed once the conversation has begun; send session.update before any audio',
        { eventId: event.event_id, param: 'session' },
      );
      return;
    }
    const requested = flattenSession(event.session as Record<string, unknown>);
    const settings = { ...this.settings, ...requested, ...this.options.locked };
    const refusal = this.applyTurnDetection(settings.turn_detection);
    if (refusal) {
      // Like OpenAI, a refused value refuses the whole update: nothing changes.
      this.sendError(ErrorCode.UNSUPPORTED_VALUE, refusal.message, {
        eventId: event.event_id,
        param: refusal.param,
      });
      return;
    }
    this.settings = settings;
    // A hold-session-updated fault holds it in the fault stage.
    this.send({ type: 'session.updated', session: this.sessionObject() });
  }

  private onAppend(event: ClientEventOf<'input_audio_buffer.append'>): void {
    this.audioStarted = true;
    // The codec checked the base64 already (invalid_audio otherwise): decode only, into a
    // buffer every session reuses (the VAD copies what it keeps).
    const pcm = APPEND_DECODER.decode(event.audio);
    const ms = (pcm.length * 2) / BYTES_PER_MS;
    this.stats.audioInMs += ms;
    this.bufferedBytes += pcm.length * 2;
    if (!this.spend(ms)) return;
    if (this.turns.vad === undefined) return; // manual turns: no server VAD
    for (const v of this.vad.push(pcm)) this.onVad(v);
  }

  /**
   * Takes a `turn_detection` setting: the VAD's settings and the turn-taking it asks for.
   * Returns why the mock refuses it (nothing changed then).
   */
  private applyTurnDetection(
    td: SessionSettings['turn_detection'],
  ): TurnDetectionRefusal | undefined {
    const taken = turnTaking(td, this.mode, this.options.vad);
    if (!taken.ok) return taken.refusal;
    this.turns = taken.turns;
    // Settings change only before the first audio, so the detector has seen nothing yet.
    this.vad = new EnergyVad(taken.turns.vad ?? this.options.vad);
    return undefined;
  }

  private onVad(v: VadEvent): void {
    if (v.type === 'speech_started') {
      this.userItemId = this.ids('item');
      this.send({
        type: 'input_audio_buffer.speech_started',
        audio_start_ms: v.audioStartMs,
        item_id: this.userItemId,
      });
      if (this.active && this.turns.interruptResponse) this.cancelActive('turn_detected');
    } else {
      const itemId = this.userItemId ?? this.ids('item');
      this.send({
        type: 'input_audio_buffer.speech_stopped',
        audio_end_ms: v.audioEndMs,
        item_id: itemId,
      });
      this.endUserTurn(itemId);
    }
  }

  private onCommit(event: ClientEventOf<'input_audio_buffer.commit'>): void {
    if (this.bufferedBytes < 100 * BYTES_PER_MS) {
      const ms = Math.round(this.bufferedBytes / BYTES_PER_MS);
      this.sendError(
        ErrorCode.COMMIT_EMPTY,
        `the input audio buffer holds ${ms} ms of audio; commit needs at least 100 ms`,
        { eventId: event.event_id },
      );
      return;
    }
    const itemId = this.userItemId ?? this.ids('item');
    if (this.vad.inSpeech) {
      this.send({
        type: 'input_audio_buffer.speech_stopped',
        audio_end_ms: this.vad.audioMs,
        item_id: itemId,
      });
    }
    this.vad.reset();
    this.endUserTurn(itemId);
  }

  private onResponseCreate(event: ClientEventOf<'response.create'>): void {
    if (this.active) {
      this.sendError(
        ErrorCode.ACTIVE_RESPONSE,
        `response ${this.active.id} is still in progress; wait for its response.done`,
        { eventId: event.event_id },
      );
      return;
    }
    if (this.queued) {
      const q = this.queued;
      this.queued = undefined;
      this.startResponse(q.turn, q.index);
      return;
    }
    if (this.committedTurn !== undefined) {
      const turn = this.committedTurn;
      this.committedTurn = undefined;
      this.startResponse(turn, 0);
      return;
    }
    if (this.vad.inSpeech || this.bufferedBytes >= 100 * BYTES_PER_MS) {
      const itemId = this.userItemId ?? this.ids('item');
      this.vad.reset();
      this.endUserTurn(itemId, true);
      return;
    }
    const turn = this.nextTurn();
    this.startResponse(turn, 0);
  }

  private onResponseCancel(event: ClientEventOf<'response.cancel'>): void {
    const target = event.response_id;
    if (!this.active || (target !== undefined && target !== this.active.id)) {
      this.sendError(
        ErrorCode.CANCEL_NOT_ACTIVE,
        target !== undefined && this.active
          ? `response ${target} is not in progress (the active response is ${this.active.id})`
          : 'there is no response in progress to cancel',
        { eventId: event.event_id },
      );
      return;
    }
    this.cancelActive('client_cancelled');
  }

  private onItemCreate(event: ClientEventOf<'conversation.item.create'>): void {
    const item = event.item;
    const call = this.pendingCalls.get(item.call_id);
    if (!call) {
      this.sendError(
        ErrorCode.UNKNOWN_CALL_ID,
        `no tool call with call_id ${JSON.stringify(item.call_id)} is waiting for output` +
          ' (use the call_id of response.function_call_arguments.done, not its item_id)',
        { eventId: event.event_id, param: 'item.call_id' },
      );
      return;
    }
    this.pendingCalls.delete(item.call_id);
    const itemId = this.ids('item');
    this.send({
      type: 'conversation.item.created',
      previous_item_id: call.itemId,
      item: {
        id: itemId,
        object: 'realtime.item',
        type: 'function_call_output',
        call_id: item.call_id,
        output: item.output,
        status: 'completed',
      },
    });
    this.lastItemId = itemId;
    // Several calls in one response: swaram goes on once the last of them is answered.
    for (const other of this.pendingCalls.values())
      if (other.responseId === call.responseId) return;
    const responses = this.options.script.turns[call.turn]?.responses ?? [];
    if (call.index + 1 < responses.length) {
      // swaram continues on its own after a tool result.
      if (this.active) this.queued = { turn: call.turn, index: call.index + 1 };
      else this.startResponse(call.turn, call.index + 1);
    }
  }

  /** Ends the user's turn; replies at once when `respond` (else waits for `response.create`). */
  private endUserTurn(itemId: string, respond = this.turns.createResponse): void {
    this.userItemId = undefined;
    this.bufferedBytes = 0;
    this.stats.userTurns += 1;
    const turn = this.nextTurn();
    const transcript = this.options.script.turns[turn]?.user.transcript ?? '';
    this.send({
      type: 'conversation.item.created',
      previous_item_id: this.lastItemId,
      item: {
        id: itemId,
        object: 'realtime.item',
        type: 'message',
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_audio', text: transcript }],
      },
    });
    this.lastItemId = itemId;
    this.later(this.options.transcriptDelayMs ?? 300, () =>
      this.send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript,
      }),
    );
    if (!respond) this.committedTurn = turn;
    else if (this.active) this.queued = { turn, index: 0 };
    else this.startResponse(turn, 0);
  }

  private nextTurn(): number {
    const n = this.options.script.turns.length;
    const turn = n === 0 ? 0 : this.turnCursor % n;
    this.turnCursor += 1;
    return turn;
  }

  private startResponse(turn: number, index: number): void {
    const source = this.options.script.turns[turn]?.responses[index];
    if (!source) return;
    const plan = planReply(source);
    const response: ActiveResponse = {
      id: this.ids('resp'),
      itemId: this.ids('item'),
      turn,
      index,
      source,
      steps: plan.steps,
      cursor: 0,
      startedAt: this.options.scheduler.clock.now(),
      task: undefined,
      transcriptSent: '',
      audioItemUsed: plan.steps.length > 0,
    };
    this.active = response;
    this.stats.responses += 1;
    this.send({
      type: 'response.created',
      response: {
        id: response.id,
        object: 'realtime.response',
        status: 'in_progress',
        status_details: null,
        output: [],
        usage: null,
      },
    });
    this.scheduleNext(response, plan.endMs);
  }

  private scheduleNext(r: ActiveResponse, endMs: number): void {
    const step = r.steps[r.cursor];
    const atMs = step ? step.atMs : endMs;
    r.task = this.options.scheduler.at(r.startedAt + atMs / this.speed, () => {
      if (this.active !== r || this.ended) return;
      if (!step) return this.finishResponse(r);
      // Send every step due at the same instant together (a chunk and its words).
      while (r.cursor < r.steps.length && r.steps[r.cursor]!.atMs === step.atMs) {
        const s = r.steps[r.cursor++]!;
        if (s.kind === 'audio') {
          this.stats.audioOutMs += s.bytes / BYTES_PER_MS;
          this.send({
            type: 'response.output_audio.delta',
            response_id: r.id,
            item_id: r.itemId,
            output_index: 0,
            content_index: 0,
            delta: s.delta,
          });
          if (!this.spend(s.bytes / BYTES_PER_MS)) return;
        } else {
          r.transcriptSent += s.delta;
          this.send({
            type: 'response.output_audio_transcript.delta',
            response_id: r.id,
            item_id: r.itemId,
            output_index: 0,
            content_index: 0,
            delta: s.delta,
          });
        }
      }
      this.scheduleNext(r, endMs);
    });
  }

  private finishResponse(r: ActiveResponse): void {
    const output: Item[] = [];
    if (r.audioItemUsed) output.push(this.messageItem(r, 'completed'));
    const calls = r.source.toolCalls ?? (r.source.toolCall ? [r.source.toolCall] : []);
    for (const call of calls) {
      const callId = call.callId ?? this.ids('call');
      const itemId = this.ids('item');
      const args =
        typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
      this.stats.toolCalls += 1;
      this.pendingCalls.set(callId, { turn: r.turn, index: r.index, itemId, responseId: r.id });
      this.send({
        type: 'response.function_call_arguments.done',
        response_id: r.id,
        item_id: itemId,
        output_index: output.length,
        call_id: callId,
        name: call.name,
        arguments: args,
      });
      output.push({
        id: itemId,
        object: 'realtime.item',
        type: 'function_call',
        status: 'completed',
        call_id: callId,
        name: call.name,
        arguments: args,
      });
    }
    this.active = undefined;
    const status = r.source.status ?? 'completed';
    this.send({
      type: 'response.done',
      response: {
        id: r.id,
        object: 'realtime.response',
        status,
        status_details: statusDetails(status),
        output,
        usage: this.usage(r),
      },
    });
    this.lastItemId = output[output.length - 1]?.id ?? this.lastItemId;
    if (this.queued && !this.active) {
      const q = this.queued;
      this.queued = undefined;
      this.startResponse(q.turn, q.index);
    }
  }

  private cancelActive(reason: 'turn_detected' | 'client_cancelled'): void {
    const r = this.active;
    if (!r) return;
    this.options.scheduler.cancel(r.task);
    this.active = undefined;
    this.stats.cancelled += 1;
    this.send({
      type: 'response.done',
      response: {
        id: r.id,
        object: 'realtime.response',
        status: 'cancelled',
        status_details: { type: 'cancelled', reason },
        output: r.cursor > 0 ? [this.messageItem(r, 'incomplete')] : [],
        usage: this.usage(r),
      },
    });
  }

  private messageItem(r: ActiveResponse, status: 'completed' | 'incomplete'): MessageItem {
    return {
      id: r.itemId,
      object: 'realtime.item',
      type: 'message',
      role: 'assistant',
      status,
      content: [{ type: 'output_audio', transcript: r.transcriptSent }],
    };
  }

  private usage(r: ActiveResponse): Usage {
    // The mock has no tokens; it reports audio in 100 ms units so the numbers move sensibly.
    let audioBytes = 0;
    for (let i = 0; i < r.cursor; i++) {
      const s = r.steps[i]!;
      if (s.kind === 'audio') audioBytes += s.bytes;
    }
    const outputTokens = Math.ceil(audioBytes / (100 * BYTES_PER_MS)) + r.transcriptSent.length;
    const inputTokens = Math.ceil(this.stats.audioInMs / 100);
    return {
      total_tokens: inputTokens + outputTokens,
      input_tokens: inputTokens,
      output_tokens: outputTokens,
    };
  }

  private spend(ms: number): boolean {
    if (!this.options.credits || this.options.credits.spend(ms)) return true;
    this.sendError(
      ErrorCode.INSUFFICIENT_CREDITS,
      'your credits are spent: add credits to continue',
    );
    this.closeWith(CloseCode.OUT_OF_CREDITS, 'out of credits');
    return false;
  }

  private closeWith(code: number, reason: string): void {
    this.options.out.close(code, reason);
  }

  private later(ms: number, fn: () => void): void {
    const task = this.options.scheduler.after(ms / this.speed, () => {
      this.timers.delete(task);
      if (!this.ended) fn();
    });
    this.timers.add(task);
  }

  private sessionObject(): ServerSession {
    // The settings come from session.update events the codec validated, or from what a token
    // pinned (echoed as minted): trusted to fit the schema, not re-checked.
    return {
      id: this.id,
      object: 'realtime.session',
      model: this.options.model,
      ...this.settings,
    } as ServerSession;
  }

  private send(event: UnsentEvent): void {
    if (this.ended) return;
    const { type, ...fields } = event;
    this.options.out.send({ type, event_id: this.ids('event'), ...fields } as ServerEvent);
  }

  private sendError(
    code: ErrorCode,
    message: string,
    extra: { param?: string | undefined; eventId?: string | undefined } = {},
  ): void {
    this.stats.errorsSent += 1;
    this.send(unsentError({ code, message, ...extra }));
  }
}

/** Maps a JSON Pointer (`/session/voice`) to OpenAI's dotted `param` (`session.voice`). */
function pointerToParam(path: string): string | undefined {
  if (path === '') return undefined;
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** OpenAI's `status_details` for a response that ended on its own. */
function statusDetails(
  status: 'completed' | 'failed' | 'incomplete',
): FinishedResponse['status_details'] {
  if (status === 'completed') return null;
  if (status === 'incomplete') return { type: 'incomplete', reason: 'max_output_tokens' };
  return {
    type: 'failed',
    error: {
      type: 'server_error',
      code: 'server_error',
      message: 'the reply could not be generated',
    },
  };
}

/**
 * Reads swaram's flat session shape, and maps the OpenAI GA nested shape onto it (accepted
 * as an extension: `audio.output.voice` → `voice`, `audio.input.turn_detection` →
 * `turn_detection`).
 */
export function flattenSession(session: Record<string, unknown>): Partial<SessionSettings> {
  const out: Partial<SessionSettings> = {};
  const audio = session.audio as
    { input?: { turn_detection?: unknown }; output?: { voice?: unknown } } | undefined;
  const voice = session.voice ?? audio?.output?.voice;
  if (typeof voice === 'string') out.voice = voice;
  if (typeof session.instructions === 'string') out.instructions = session.instructions;
  if (Array.isArray(session.tools)) out.tools = session.tools;
  if (typeof session.tool_choice === 'string') out.tool_choice = session.tool_choice;
  const td = 'turn_detection' in session ? session.turn_detection : audio?.input?.turn_detection;
  if (td !== undefined) out.turn_detection = td as SessionSettings['turn_detection'];
  return out;
}
