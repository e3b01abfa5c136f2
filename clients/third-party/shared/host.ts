import { createInterface } from 'node:readline';

/*
 * The protocol side shared by the third-party adapters (swaram-adapter/1, see
 * docs/adapter-protocol.md): JSON lines on stdin/stdout, one reply per command, tool calls
 * parked until the runner's `tool.result`. What each SDK does lives in its own adapter; this
 * file never touches an SDK. Self-contained on purpose (no imports from the harness), so the
 * adapters run on their own.
 */

export const PROTOCOL = 'swaram-adapter/1';

export type ErrorCode =
  | 'invalid_json'
  | 'unknown_command'
  | 'invalid_command'
  | 'unsupported'
  | 'bad_state'
  | 'unknown_call'
  | 'internal';

/** A refused command: becomes an `ok: false` reply. */
export class CommandError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A command as the runner sent it. */
export type Command = Readonly<Record<string, unknown>> & {
  readonly type: string;
  readonly id: number;
};

/** The session settings of `connect` (docs/adapter-protocol.md, `connect.session`). */
export interface AdapterTool {
  readonly type: 'function';
  readonly name: string;
  readonly description?: string;
  readonly parameters?: Record<string, unknown>;
}
export interface AdapterSession {
  readonly instructions?: string;
  readonly voice?: string;
  readonly tools?: readonly AdapterTool[];
  readonly tool_choice?: string;
  readonly turn_detection?: Record<string, unknown> | null;
}

/** `connect`, checked. */
export interface ConnectCommand {
  readonly id: number;
  readonly url: string;
  readonly apiKey: string;
  readonly model: string;
  readonly session: AdapterSession;
  readonly reportAudio: boolean;
  readonly speed: number;
}

/** What an adapter does with each command. Throw {@link CommandError} to refuse. */
export interface AdapterHandlers {
  connect(command: ConnectCommand): void;
  micAudio(pcm: Buffer): void;
  micEnd(): void;
  commit?(): void;
  interrupt?(): void;
  /** The app ends the session. */
  end(): void;
  /** Resolves once the session is over (or after a short wait), before the process exits. */
  shutdown(): Promise<void>;
}

/** Writes one protocol line to stdout. Everything else goes to stderr. */
export function send(message: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(message) + '\n');
}

/** Free-text log on stderr (the runner keeps its tail). */
export function log(line: string): void {
  process.stderr.write(`adapter: ${line}\n`);
}

/** Sends an `error` observation. */
export function observeError(
  kind: string,
  message: string,
  extra: { code?: string | undefined; fatal?: boolean | undefined } = {},
): void {
  send({
    type: 'error',
    kind,
    ...(extra.code !== undefined ? { code: extra.code } : {}),
    message,
    ...(extra.fatal !== undefined ? { fatal: extra.fatal } : {}),
  });
}

/** Strict base64 of PCM16 from the runner (its own input, so checking it is not correcting the SDK). */
function decodeMicAudio(value: unknown): Buffer {
  if (
    typeof value !== 'string' ||
    !/^[A-Za-z0-9+/]*={0,2}$/.test(value) ||
    value.length % 4 !== 0
  ) {
    throw new CommandError('invalid_command', 'audio must be base64');
  }
  const pcm = Buffer.from(value, 'base64');
  if (pcm.length === 0 || pcm.length % 2 !== 0) {
    throw new CommandError('invalid_command', 'audio must be a non-empty, even number of bytes');
  }
  return pcm;
}

/**
 * Tool calls waiting for the runner's `tool.result`. A call_id the SDK ran twice (a duplicated
 * call) has two pending invocations; each `tool.result` answers the oldest.
 */
export class PendingTools {
  private readonly pending = new Map<
    string,
    { resolve: (output: string) => void; reject: (err: Error) => void }[]
  >();

  /** Sends `tool.invoke` and waits for the matching `tool.result`. */
  invoke(call: {
    callId: string;
    name: string;
    arguments: string;
    itemId?: string | undefined;
    responseId?: string | undefined;
  }): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const queue = this.pending.get(call.callId) ?? [];
      queue.push({ resolve, reject });
      this.pending.set(call.callId, queue);
      send({
        type: 'tool.invoke',
        call_id: call.callId,
        name: call.name,
        arguments: call.arguments,
        ...(call.itemId ? { item_id: call.itemId } : {}),
        ...(call.responseId ? { response_id: call.responseId } : {}),
      });
    });
  }

  result(command: Command): void {
    const callId = command.call_id;
    if (typeof callId !== 'string')
      throw new CommandError('invalid_command', 'call_id is required');
    const hasOutput = typeof command.output === 'string';
    const hasError = typeof command.error === 'string';
    if (hasOutput === hasError) {
      throw new CommandError('invalid_command', 'give exactly one of output and error');
    }
    const queue = this.pending.get(callId);
    const entry = queue?.shift();
    if (!entry)
      throw new CommandError('unknown_call', `no pending tool.invoke with call_id ${callId}`);
    if (queue?.length === 0) this.pending.delete(callId);
    if (hasError) entry.reject(new Error(command.error as string));
    else entry.resolve(command.output as string);
  }

  rejectAll(reason: string): void {
    for (const queue of this.pending.values())
      for (const entry of queue) entry.reject(new Error(reason));
    this.pending.clear();
  }
}

/**
 * Says `hello`, then serves commands until `shutdown` or end of input. Never throws on a bad
 * command: every problem becomes an `ok: false` reply.
 */
export function runAdapter(options: {
  client: { name: string; version: string; language: string };
  features: readonly string[];
  handlers: AdapterHandlers;
  tools: PendingTools;
}): void {
  const { handlers, tools } = options;
  // stdout carries the protocol only: anything an SDK logs by mistake goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  send({ type: 'hello', protocol: PROTOCOL, client: options.client, features: options.features });

  let stopping = false;
  // A memory sample of this process every second (BOUNDED-MEMORY); never keeps it alive.
  const sample = () => {
    if (stopping) return;
    const m = process.memoryUsage();
    send({ type: 'memory', rss: m.rss, heapUsed: m.heapUsed, external: m.external });
    setTimeout(sample, 1000).unref();
  };
  setTimeout(sample, 1000).unref();
  const shutdown = async (id: number | null) => {
    if (stopping) {
      if (id !== null) send({ type: 'reply', id, ok: true });
      return;
    }
    stopping = true;
    tools.rejectAll('session ended');
    try {
      await handlers.shutdown();
    } catch (err) {
      log(`shutdown: ${String(err)}`);
    }
    if (id !== null) send({ type: 'reply', id, ok: true });
    process.stdout.write('', () => process.exit(0));
  };

  const dispatch = (command: Command): boolean => {
    switch (command.type) {
      case 'connect': {
        const { url, apiKey, model } = command;
        if (typeof url !== 'string' || typeof apiKey !== 'string' || typeof model !== 'string') {
          throw new CommandError('invalid_command', 'connect needs url, apiKey and model strings');
        }
        const opts = (command.options ?? {}) as { reportAudio?: unknown; speed?: unknown };
        const speed = typeof opts.speed === 'number' && opts.speed > 0 ? opts.speed : 1;
        handlers.connect({
          id: command.id,
          url,
          apiKey,
          model,
          session: (command.session ?? {}) as AdapterSession,
          reportAudio: opts.reportAudio === true,
          speed,
        });
        return true;
      }
      case 'mic.audio':
        handlers.micAudio(decodeMicAudio(command.audio));
        return true;
      case 'mic.end':
        handlers.micEnd();
        return true;
      case 'commit':
        if (!handlers.commit) throw new CommandError('unsupported', 'no push-to-talk');
        handlers.commit();
        return true;
      case 'interrupt':
        if (!handlers.interrupt) throw new CommandError('unsupported', 'no app interrupt');
        handlers.interrupt();
        return true;
      case 'tool.result':
        tools.result(command);
        return true;
      case 'end':
        tools.rejectAll('session ended');
        handlers.end();
        return true;
      case 'shutdown':
        void shutdown(command.id);
        return false;
      default:
        throw new CommandError(
          'unknown_command',
          `unknown command ${JSON.stringify(command.type)}`,
        );
    }
  };

  const refuse = (id: number | null, err: CommandError) =>
    send({ type: 'reply', id, ok: false, error: { code: err.code, message: err.message } });

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return refuse(null, new CommandError('invalid_json', 'the line is not JSON'));
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return refuse(null, new CommandError('invalid_json', 'the line is not a JSON object'));
    }
    const record = value as Record<string, unknown>;
    const id =
      Number.isInteger(record.id) && (record.id as number) >= 1 ? (record.id as number) : null;
    if (id === null)
      return refuse(
        null,
        new CommandError('invalid_command', 'a command needs an integer id >= 1'),
      );
    if (typeof record.type !== 'string') {
      return refuse(id, new CommandError('invalid_command', 'a command needs a string type'));
    }
    try {
      if (dispatch(record as Command)) send({ type: 'reply', id, ok: true });
    } catch (err) {
      if (err instanceof CommandError) return refuse(id, err);
      log(
        `${record.type} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      refuse(id, new CommandError('internal', err instanceof Error ? err.message : String(err)));
    }
  });
  lines.on('close', () => void shutdown(null));
}
