/**
 * swaram-adapter/1 around the `openai` npm package's `OpenAIRealtimeWS` (openai/realtime/ws),
 * the pinned version in clients/third-party/package.json.
 *
 * OpenAIRealtimeWS is a thin, typed event pipe: it builds the URL, authenticates, parses
 * server frames into typed events, surfaces `error` events and transport failures through
 * its `error` listener, and (opt-in, `reconnect: true`) recovers dropped connections with
 * backoff. It has no player, no tool runner and no transcript model. So this adapter is the
 * smallest app that follows the SDK's own documentation:
 *   - session.update in the SDK's typed (GA nested) shape once the socket is open, and again
 *     on `reconnected` before `flushPending()` (the SDK's documented recovery contract);
 *   - microphone audio through `rt.send(input_audio_buffer.append)` while the socket is open or
 *     the SDK is reconnecting (it queues then); the SDK documents "wait until the underlying
 *     socket is open before calling send", so audio captured before that is not handed to it;
 *   - every `response.output_audio.delta` the SDK emits goes to the speaker, decoded the way
 *     the SDK's examples do (`Buffer.from(delta, 'base64')`), with no barge-in handling (the SDK
 *     has none: `barge-in` and `cancel` are not declared);
 *   - tools run from the SDK's `response.function_call_arguments.done` event and are answered
 *     with one `conversation.item.create`; no `response.create` nudge;
 *   - `error` observations carry the SDK's `OpenAIRealtimeError` as is; the kind comes from the
 *     `error.type` the SDK passes through from swaram (transport errors: `network`).
 *
 * wss: only: the SDK rewrites every URL to wss: (src/realtime/internal-base.ts, `url.protocol =
 * 'wss'` in buildRealtimeURL, and custom `buildRealtimeURL` results must be wss:). Run it with
 * `swaram-conform --tls`: the mock then serves wss: and the SDK's own TLS connection trusts
 * the mock's certificate through NODE_EXTRA_CA_CERTS. A ws: URL is refused at `connect` with
 * a message saying so (the SDK would dial TLS to a plain port and fail).
 */
import { readFileSync } from 'node:fs';
import {
  CommandError,
  PendingTools,
  log,
  observeError,
  runAdapter,
  send,
  type AdapterSession,
  type ConnectCommand,
} from '../shared/host.js';
import { Speaker } from '../shared/speaker.js';

// Loaded by name at run time, so the root package's typecheck and build do not need
// clients/third-party/node_modules; the few SDK shapes used are typed below.
const OPENAI = 'openai';
const OPENAI_WS = 'openai/realtime/ws';
// An app loads its SDK at start-up, not when the user presses "talk": start loading now (hello
// goes out at once; connect awaits these).
const openaiModule = import(OPENAI);
const realtimeModule = import(OPENAI_WS);
openaiModule.catch(() => undefined);
realtimeModule.catch(() => undefined);

interface SdkError extends Error {
  error?: { type?: string; code?: string; message?: string } | undefined;
}
interface RawSocket {
  readyState: number;
  on(event: 'open', listener: () => void): void;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): void;
}
interface RealtimeWS {
  socket: RawSocket;
  on(event: string, listener: (...args: never[]) => void): void;
  send(event: Record<string, unknown>): void;
  flushPending(): void;
  close(props?: { code: number; reason: string }): void;
}
type ServerEvent = Record<string, unknown> & { type: string };

const sdkVersion = (
  JSON.parse(
    readFileSync(new URL('../node_modules/openai/package.json', import.meta.url), 'utf8'),
  ) as { version: string }
).version;

const tools = new PendingTools();
let rt: RealtimeWS | undefined;
let speaker: Speaker | undefined;
let live = false; // between connect and the SDK's permanent close
let attempt = 0;
let reconnecting = false;
let closedResolve: (() => void) | undefined;

const OPEN = 1;

function kindOf(err: SdkError): string {
  switch (err.error?.type) {
    case 'authentication_error':
      return 'auth';
    case 'insufficient_quota':
      return 'billing';
    case 'rate_limit_error':
      return 'rate';
    case 'server_error':
      return 'transient';
    case 'invalid_request_error':
      return 'protocol';
    case undefined:
      return 'network';
    default:
      return 'other';
  }
}

/** The session as an app writes it against the SDK's types (`RealtimeSessionCreateRequest`). */
function sdkSession(session: AdapterSession): Record<string, unknown> {
  const audio: Record<string, unknown> = {};
  if (session.voice !== undefined) audio.output = { voice: session.voice };
  if (session.turn_detection !== undefined)
    audio.input = { turn_detection: session.turn_detection };
  return {
    type: 'realtime',
    ...(session.instructions !== undefined ? { instructions: session.instructions } : {}),
    ...(Object.keys(audio).length > 0 ? { audio } : {}),
    ...(session.tools !== undefined ? { tools: session.tools } : {}),
    ...(session.tool_choice !== undefined ? { tool_choice: session.tool_choice } : {}),
  };
}

async function open(command: ConnectCommand): Promise<void> {
  const { OpenAI } = (await openaiModule) as {
    OpenAI: new (options: { apiKey: string; baseURL: string }) => unknown;
  };
  const { OpenAIRealtimeWS } = (await realtimeModule) as {
    OpenAIRealtimeWS: new (props: Record<string, unknown>, client: unknown) => RealtimeWS;
  };
  // The app's configuration: swaram's endpoint is <base>/realtime, the SDK adds /realtime and
  // ?model= itself.
  const endpoint = new URL(command.url);
  if (endpoint.protocol !== 'wss:' && process.env.SWARAM_OPENAI_TLS_ONLY !== '1') {
    throw new CommandError(
      'unsupported',
      `the openai SDK speaks wss: only and cannot reach ${endpoint.protocol}// URLs: run swaram-conform with --tls`,
    );
  }
  const baseURL = `https://${endpoint.host}${endpoint.pathname.replace(/\/realtime\/?$/, '')}`;
  const client = new OpenAI({ apiKey: command.apiKey, baseURL });
  const session = sdkSession(command.session);
  const s = new Speaker(command.speed, command.reportAudio);
  speaker = s;
  const conn = new OpenAIRealtimeWS({ model: command.model, reconnect: true }, client);
  rt = conn;

  const watchSocket = () => {
    const socket = conn.socket;
    socket.on('open', () => {
      if (conn.socket !== socket) return;
      send({ type: 'connection', state: 'open', attempt });
      if (attempt === 1) conn.send({ type: 'session.update', session });
    });
  };
  watchSocket();

  conn.on('session.updated', () => send({ type: 'connection', state: 'ready', attempt }));
  conn.on('reconnecting', (event: { attempt: number; delay: number; closeCode: number }) => {
    reconnecting = true;
    attempt += 1;
    send({
      type: 'connection',
      state: 'reconnecting',
      attempt,
      code: event.closeCode,
      delayMs: event.delay,
      by: 'server',
    });
  });
  conn.on('reconnected', () => {
    reconnecting = false;
    send({ type: 'connection', state: 'open', attempt });
    // The SDK's contract: restore the session, then flush what was queued meanwhile.
    conn.send({ type: 'session.update', session });
    conn.flushPending();
  });
  conn.on('close', (code: number, reason: string) => {
    reconnecting = false;
    live = false;
    send({
      type: 'connection',
      state: 'closed',
      attempt,
      code,
      ...(reason ? { reason } : {}),
    });
    closedResolve?.();
  });
  conn.on('error', (err: SdkError) => {
    log(`sdk error: ${err.message}`);
    observeError(kindOf(err), err.error?.message ?? err.message, {
      code: err.error?.code ?? undefined,
    });
  });

  conn.on('response.output_audio.delta', (event: ServerEvent) => {
    s.enqueue(
      Buffer.from(String(event.delta), 'base64'),
      String(event.response_id),
      String(event.item_id),
    );
  });

  const assistantText = new Map<string, { text: string; responseId: string }>();
  conn.on('response.output_audio_transcript.delta', (event: ServerEvent) => {
    const itemId = String(event.item_id);
    const entry = assistantText.get(itemId) ?? { text: '', responseId: String(event.response_id) };
    entry.text += String(event.delta);
    assistantText.set(itemId, entry);
    send({
      type: 'transcript',
      role: 'assistant',
      item_id: itemId,
      response_id: entry.responseId,
      text: entry.text,
      final: false,
    });
  });
  conn.on('conversation.item.input_audio_transcription.completed', (event: ServerEvent) => {
    send({
      type: 'transcript',
      role: 'user',
      item_id: String(event.item_id),
      text: String(event.transcript),
      final: true,
    });
  });
  conn.on('response.done', (event: ServerEvent) => {
    const response = event.response as {
      id: string;
      status: string;
      status_details?: { reason?: string } | null;
    };
    // The text shown for an item is everything the SDK delivered for it, also after this.
    for (const [itemId, entry] of assistantText) {
      if (entry.responseId !== response.id) continue;
      send({
        type: 'transcript',
        role: 'assistant',
        item_id: itemId,
        response_id: response.id,
        text: entry.text,
        final: true,
      });
    }
    send({
      type: 'response',
      response_id: response.id,
      status: response.status,
      ...(response.status_details?.reason ? { reason: response.status_details.reason } : {}),
    });
  });
  conn.on('response.function_call_arguments.done', (event: ServerEvent) => {
    const callId = String(event.call_id);
    tools
      .invoke({
        callId,
        name: String(event.name),
        arguments: String(event.arguments),
        itemId: String(event.item_id),
        responseId: String(event.response_id),
      })
      .then(
        (output) => output,
        (err: Error) => JSON.stringify({ error: err.message }),
      )
      .then((output) => {
        if (!live) return;
        conn.send({
          type: 'conversation.item.create',
          item: { type: 'function_call_output', call_id: callId, output },
        });
      });
  });
}

runAdapter({
  client: { name: 'openai (OpenAIRealtimeWS)', version: sdkVersion, language: 'typescript' },
  features: ['playback', 'tools', 'reconnect', 'transcripts', 'responses', 'premium'],
  tools,
  handlers: {
    connect(command) {
      if (live)
        throw new CommandError('bad_state', 'a session is live: end it before connecting again');
      live = true;
      attempt = 1;
      reconnecting = false;
      send({ type: 'connection', state: 'connecting', attempt });
      open(command).catch((err: unknown) => {
        live = false;
        log(`connect failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        observeError('other', err instanceof Error ? err.message : String(err), { fatal: true });
        send({
          type: 'connection',
          state: 'closed',
          attempt,
          reason: 'the SDK threw while connecting',
        });
      });
    },
    micAudio(pcm) {
      if (!live && !rt) throw new CommandError('bad_state', 'mic.audio before connect');
      if (!rt) return; // the SDK is still loading: no socket yet, nothing to hand audio to
      // Where the app's microphone feeds the SDK: send() while open (or while the SDK queues
      // during recovery); the SDK documents that send() needs an open socket.
      if (live && (reconnecting || rt.socket.readyState === OPEN)) {
        rt.send({ type: 'input_audio_buffer.append', audio: pcm.toString('base64') });
      }
    },
    micEnd() {
      // The SDK holds no audio of its own: nothing to flush.
    },
    end() {
      speaker?.stop('end');
      speaker?.close();
      rt?.close();
    },
    async shutdown() {
      if (!rt || !live) return;
      const closed = new Promise<void>((resolve) => {
        closedResolve = resolve;
        setTimeout(resolve, 1_000);
      });
      speaker?.stop('end');
      speaker?.close();
      rt.close();
      await closed;
    },
  },
});
