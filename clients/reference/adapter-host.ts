import { createInterface } from 'node:readline';
import type {
  AdapterFeature,
  AdapterSession,
  Hello,
  Observation,
  Reply,
  ReplyErrorCode,
} from '../../conformance/target/adapter-protocol.js';
import {
  SwaramClient,
  VirtualSpeaker,
  decodePcm16,
  encodePcm16,
  realClock,
  type Clock,
  type SessionConfig,
  type SwaramClientOptions,
  type ToolCall,
  type ToolHandler,
} from './sdk/index.js';

/*
 * The adapter: the SDK's client behind swaram-adapter/1 (docs/adapter-protocol.md). It only
 * translates — commands into the calls an app would make, the client's events into
 * observations — and never corrects the client. Only type imports from the harness, so the
 * adapter runs on its own.
 */

/** The protocol version this adapter speaks. */
const PROTOCOL = 'swaram-adapter/1';

/** Every feature the reference client has. */
export const REFERENCE_FEATURES = [
  'playback',
  'barge-in',
  'cancel',
  'push-to-talk',
  'tools',
  'reconnect',
  'transcripts',
  'responses',
  'premium',
] as const satisfies readonly AdapterFeature[];

/** Options of {@link AdapterHost}. */
export interface AdapterHostOptions {
  /** Name and version reported in `hello`. */
  readonly client: { readonly name: string; readonly version: string; readonly language?: string };
  /** Features reported in `hello`. Default {@link REFERENCE_FEATURES}. */
  readonly features?: readonly AdapterFeature[];
  /**
   * Makes the client for a `connect`. Faulty variants pass a subclass or other strategies
   * here. Default `new SwaramClient(options)`.
   */
  readonly createClient?: (options: SwaramClientOptions) => SwaramClient;
  /** Default `process.stdin`. */
  readonly input?: NodeJS.ReadableStream;
  /** Default `process.stdout`. */
  readonly output?: NodeJS.WritableStream;
  /** Log lines. Default: stderr. */
  readonly log?: (line: string) => void;
  /** The speaker's and client's clock. Default real time. */
  readonly clock?: Clock;
  /** Called to end the process after `shutdown` or end of input. Default `process.exit`. */
  readonly exit?: (code: number) => void;
  /**
   * Ms of the host's clock between `memory` observations of this process (BOUNDED-MEMORY);
   * 0: none. Default 0 here (a host in a test or in the runner's process would report the
   * wrong process), 1000 with {@link runAdapter} (the adapter program).
   */
  readonly memorySampleMs?: number;
}

type Command = Readonly<Record<string, unknown>> & { readonly type: string; readonly id: number };

class CommandError extends Error {
  constructor(
    readonly code: ReplyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs one adapter session on a pair of streams: says `hello`, then serves commands until
 * `shutdown` or end of input.
 */
export class AdapterHost {
  private client: SwaramClient | undefined;
  private readonly pendingTools = new Map<
    string,
    { resolve: (output: string) => void; reject: (err: Error) => void }
  >();
  private reportAudio = false;
  private stopping = false;
  private readonly output: NodeJS.WritableStream;
  private readonly log: (line: string) => void;
  private readonly clock: Clock;

  constructor(private readonly options: AdapterHostOptions) {
    this.output = options.output ?? process.stdout;
    this.log = options.log ?? ((line) => process.stderr.write(`adapter: ${line}\n`));
    this.clock = options.clock ?? realClock;
  }

  /** Says hello and starts reading commands. */
  start(): void {
    const hello: Hello = {
      type: 'hello',
      protocol: PROTOCOL,
      client: { ...this.options.client },
      features: [...(this.options.features ?? REFERENCE_FEATURES)],
    };
    this.write(hello);
    const lines = createInterface({
      input: this.options.input ?? process.stdin,
      crlfDelay: Infinity,
    });
    lines.on('line', (line) => this.handleLine(line));
    lines.on('close', () => void this.shutdown(undefined));
    this.sampleMemory(this.options.memorySampleMs ?? 0);
  }

  /** Reports this process's memory every `everyMs` until shutdown. */
  private sampleMemory(everyMs: number): void {
    if (!(everyMs > 0)) return;
    const tick = () => {
      if (this.stopping) return;
      const m = process.memoryUsage();
      this.observe({ type: 'memory', rss: m.rss, heapUsed: m.heapUsed, external: m.external });
      this.timer(tick, everyMs);
    };
    this.timer(tick, everyMs);
  }

  /** A timer that never keeps the process alive on its own. */
  private timer(fn: () => void, ms: number): void {
    const handle = this.clock.setTimeout(fn, ms) as { unref?: () => void } | undefined;
    handle?.unref?.();
  }

  /** Handles one command line. Never throws: every problem becomes an `ok: false` reply. */
  handleLine(line: string): void {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.refuse(null, new CommandError('invalid_json', 'the line is not JSON'));
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.refuse(null, new CommandError('invalid_json', 'the line is not a JSON object'));
      return;
    }
    const record = value as Record<string, unknown>;
    const id =
      Number.isInteger(record.id) && (record.id as number) >= 1 ? (record.id as number) : null;
    if (id === null) {
      this.refuse(null, new CommandError('invalid_command', 'a command needs an integer id >= 1'));
      return;
    }
    if (typeof record.type !== 'string') {
      this.refuse(id, new CommandError('invalid_command', 'a command needs a string type'));
      return;
    }
    const command = record as Command;
    try {
      this.dispatch(command);
    } catch (err) {
      if (err instanceof CommandError) {
        this.refuse(id, err);
      } else {
        this.log(
          `${command.type} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        this.refuse(
          id,
          new CommandError('internal', err instanceof Error ? err.message : String(err)),
        );
      }
    }
  }

  private dispatch(command: Command): void {
    switch (command.type) {
      case 'connect':
        this.connect(command);
        return this.ok(command.id);
      case 'mic.audio': {
        const client = this.requireClient('mic.audio');
        const decoded = decodePcm16(command.audio);
        if (!decoded.ok) throw new CommandError('invalid_command', `audio: ${decoded.reason}`);
        client.appendAudio(decoded.pcm);
        return this.ok(command.id);
      }
      case 'mic.end':
        this.client?.flushAudio();
        return this.ok(command.id);
      case 'commit':
        this.requireClient('commit').commit();
        return this.ok(command.id);
      case 'interrupt':
        this.requireClient('interrupt').interrupt();
        return this.ok(command.id);
      case 'tool.result':
        this.toolResult(command);
        return this.ok(command.id);
      case 'end':
        this.endSession();
        return this.ok(command.id);
      case 'shutdown':
        void this.shutdown(command.id);
        return;
      default:
        throw new CommandError(
          'unknown_command',
          `unknown command ${JSON.stringify(command.type)}`,
        );
    }
  }

  private connect(command: Command): void {
    const { url, apiKey, model } = command;
    if (typeof url !== 'string' || typeof apiKey !== 'string' || typeof model !== 'string') {
      throw new CommandError('invalid_command', 'connect needs url, apiKey and model strings');
    }
    if (this.client && this.client.state !== 'closed') {
      throw new CommandError('bad_state', 'a session is live: end it before connecting again');
    }
    const session = (command.session ?? {}) as AdapterSession;
    const options = (command.options ?? {}) as { reportAudio?: boolean; speed?: number };
    this.reportAudio = options.reportAudio === true;

    const tools: Record<string, ToolHandler> = {};
    for (const tool of session.tools ?? []) {
      tools[tool.name] = (_args, call) => this.invokeTool(call);
    }
    const speaker = new VirtualSpeaker({
      clock: this.clock,
      rate: options.speed ?? 1,
      onPlayed: (audio) =>
        this.observe({
          type: 'audio.played',
          response_id: audio.responseId,
          item_id: audio.itemId,
          bytes: audio.pcm.length,
          ...(this.reportAudio ? { audio: encodePcm16(audio.pcm) } : {}),
        }),
      onStopped: (stop) =>
        this.observe({
          type: 'playback.stopped',
          reason: stop.reason,
          droppedBytes: stop.droppedBytes,
          response_ids: stop.responseIds,
        }),
    });
    const clientOptions: SwaramClientOptions = {
      url,
      apiKey,
      model,
      session: session as SessionConfig,
      tools,
      player: speaker,
      clock: this.clock,
    };
    const client = (this.options.createClient ?? ((o) => new SwaramClient(o)))(clientOptions);
    this.client = client;

    client.on('connection', (e) =>
      this.observe({
        type: 'connection',
        state: e.state,
        attempt: e.attempt,
        ...(e.code !== undefined ? { code: e.code } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.delayMs !== undefined ? { delayMs: Math.round(e.delayMs) } : {}),
        ...(e.by ? { by: e.by } : {}),
      }),
    );
    client.on('error', (e) =>
      this.observe({
        type: 'error',
        kind: e.kind,
        code: e.code,
        message: e.message,
        fatal: e.fatal,
      }),
    );
    client.on('transcript', (t) =>
      this.observe({
        type: 'transcript',
        role: t.role,
        item_id: t.itemId,
        ...(t.responseId ? { response_id: t.responseId } : {}),
        text: t.text,
        final: t.final,
      }),
    );
    client.on('response', (r) =>
      this.observe({
        type: 'response',
        response_id: r.responseId,
        status: r.status as 'completed',
        ...(r.reason ? { reason: r.reason } : {}),
      }),
    );
    client.on('audioDropped', (d) =>
      this.observe({
        type: 'audio.dropped',
        reason: d.reason,
        ...(d.responseId ? { response_id: d.responseId } : {}),
        ...(d.itemId ? { item_id: d.itemId } : {}),
        ...(d.bytes !== undefined ? { bytes: d.bytes } : {}),
        detail: d.detail,
      }),
    );
    client.connect();
  }

  private invokeTool(call: ToolCall): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.pendingTools.set(call.callId, { resolve, reject });
      this.observe({
        type: 'tool.invoke',
        call_id: call.callId,
        name: call.name,
        arguments: call.arguments,
        ...(call.itemId ? { item_id: call.itemId } : {}),
        ...(call.responseId ? { response_id: call.responseId } : {}),
      });
    });
  }

  private toolResult(command: Command): void {
    const callId = command.call_id;
    if (typeof callId !== 'string')
      throw new CommandError('invalid_command', 'call_id is required');
    const hasOutput = typeof command.output === 'string';
    const hasError = typeof command.error === 'string';
    if (hasOutput === hasError) {
      throw new CommandError('invalid_command', 'give exactly one of output and error');
    }
    const pending = this.pendingTools.get(callId);
    if (!pending) {
      throw new CommandError('unknown_call', `no pending tool.invoke with call_id ${callId}`);
    }
    this.pendingTools.delete(callId);
    if (hasError) pending.reject(new Error(command.error as string));
    else pending.resolve(command.output as string);
  }

  private endSession(): void {
    this.client?.end();
    for (const pending of this.pendingTools.values()) pending.reject(new Error('session ended'));
    this.pendingTools.clear();
  }

  /** Ends the session, waits briefly for its close, replies, and exits. */
  private async shutdown(id: number | undefined): Promise<void> {
    if (this.stopping) {
      if (id !== undefined) this.ok(id);
      return;
    }
    this.stopping = true;
    const client = this.client;
    this.endSession();
    if (client && client.state !== 'closed') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        client.on('connection', (e) => {
          if (e.state === 'closed') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    }
    if (id !== undefined) this.ok(id);
    this.output.write('', () => (this.options.exit ?? ((code) => process.exit(code)))(0));
  }

  private requireClient(what: string): SwaramClient {
    if (!this.client) throw new CommandError('bad_state', `${what} before connect`);
    return this.client;
  }

  private ok(id: number): void {
    const reply: Reply = { type: 'reply', id, ok: true };
    this.write(reply);
  }

  private refuse(id: number | null, err: CommandError): void {
    const reply: Reply = {
      type: 'reply',
      id,
      ok: false,
      error: { code: err.code, message: err.message },
    };
    this.write(reply);
  }

  private observe(observation: Observation): void {
    this.write(observation);
  }

  private write(message: Hello | Reply | Observation): void {
    this.output.write(JSON.stringify(message) + '\n');
  }
}

/** Starts an adapter on stdin/stdout. */
export function runAdapter(options: AdapterHostOptions): AdapterHost {
  const host = new AdapterHost({ memorySampleMs: 1000, ...options });
  host.start();
  return host;
}
