/**
 * swaram-adapter/1 around `@openai/agents-realtime`'s `RealtimeSession` over its WebSocket
 * transport (`transport: 'websocket'`), the pinned version in clients/third-party/package.json.
 *
 * What the app does is what the SDK documents for the WebSocket transport:
 *   - a `RealtimeAgent` carries the instructions, the voice and one `tool()` per
 *     `connect.session.tools` tool (JSON-schema parameters, `strict: false`); the SDK runs the
 *     tools itself and answers swaram;
 *   - `session.connect({ apiKey, url })` with the endpoint and `?model=` (the SDK puts the model
 *     in the URL only for its default OpenAI endpoint, so an app with its own endpoint writes it);
 *   - microphone audio through `session.sendAudio()`;
 *   - the WebSocket transport does not play audio: the app plays `session.on('audio')` and stops
 *     its player on `session.on('audio_interrupted')`, exactly as the SDK's docs say;
 *     `interrupt` is `session.interrupt()`;
 *   - transcripts are what the app shows from `session.on('history_updated')`;
 *   - errors are `session.on('error')` as the SDK emits them.
 * Not declared: `reconnect` (the transport never reconnects), `push-to-talk` (no commit API on
 * RealtimeSession except `sendAudio(audio, { commit: true })`, which needs audio to append) and
 * `responses` (the SDK's `turn_done` carries no status: the app cannot tell how a reply ended).
 *
 * The SDK's `audio` event carries `responseId` but no item id; the adapter takes the item id
 * from the transport's own `response.output_audio.delta` event, which the SDK emits for the
 * same frame just before.
 */
import { readFileSync } from 'node:fs';
import {
  CommandError,
  PendingTools,
  log,
  observeError,
  runAdapter,
  send,
  type AdapterTool,
  type ConnectCommand,
} from '../shared/host.js';
import { Speaker, type StopReason } from '../shared/speaker.js';

// Loaded by name at run time, so the root package's typecheck and build do not need
// clients/third-party/node_modules; the few SDK shapes used are typed below.
const AGENTS = '@openai/agents-realtime';
// An app loads its SDK at start-up: start loading now (hello goes out at once).
const agentsModule = import(AGENTS);
agentsModule.catch(() => undefined);

type Listener = (...args: never[]) => void;
interface Emitter {
  on(event: string, listener: Listener): void;
}
interface Transport extends Emitter {
  status: string;
}
interface Session extends Emitter {
  transport: Transport;
  connect(options: { apiKey: string; url: string }): Promise<void>;
  sendAudio(audio: ArrayBuffer): void;
  interrupt(): void;
  close(): void;
}
interface ToolCallDetails {
  toolCall?: { callId?: string; arguments?: string; id?: string };
}
interface Agents {
  RealtimeAgent: new (config: Record<string, unknown>) => unknown;
  RealtimeSession: new (agent: unknown, options: Record<string, unknown>) => Session;
  tool: (config: Record<string, unknown>) => unknown;
}
interface HistoryItem {
  itemId: string;
  type: string;
  role?: string;
  status?: string;
  content?: { type: string; transcript?: string | null; text?: string }[];
}

const sdkVersion = (
  JSON.parse(
    readFileSync(
      new URL('../node_modules/@openai/agents-realtime/package.json', import.meta.url),
      'utf8',
    ),
  ) as { version: string }
).version;

const tools = new PendingTools();
let session: Session | undefined;
let speaker: Speaker | undefined;
let live = false;
let endedByApp = false;
let stopReason: StopReason = 'barge-in';
let closedResolve: (() => void) | undefined;

function kindOf(error: unknown): { kind: string; code?: string; message: string } {
  // A server `error` event arrives as { type: 'error', error: <the event> }.
  const event = error as {
    type?: string;
    error?: { type?: string; code?: string; message?: string };
  };
  if (event && event.type === 'error' && event.error && typeof event.error === 'object') {
    const kind =
      {
        authentication_error: 'auth',
        insufficient_quota: 'billing',
        rate_limit_error: 'rate',
        server_error: 'transient',
        invalid_request_error: 'protocol',
      }[event.error.type ?? ''] ?? 'other';
    return { kind, code: event.error.code, message: event.error.message ?? 'error' };
  }
  if (error instanceof Error) return { kind: 'other', message: error.message };
  const text = (() => {
    try {
      return JSON.stringify(error);
    } catch {
      return String(error);
    }
  })();
  return { kind: 'network', message: text ?? String(error) };
}

/** snake_case turn detection fields as the SDK's camelCase config names them. */
function camel(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
      v,
    ]),
  );
}

function makeTool(agents: Agents, spec: AdapterTool): unknown {
  return agents.tool({
    name: spec.name,
    description: spec.description ?? '',
    parameters: spec.parameters ?? { type: 'object', properties: {}, additionalProperties: true },
    strict: false,
    execute: async (input: unknown, _context: unknown, details?: ToolCallDetails) => {
      const call = details?.toolCall;
      return tools.invoke({
        callId: call?.callId ?? '',
        name: spec.name,
        arguments: call?.arguments ?? JSON.stringify(input ?? {}),
        itemId: call?.id,
      });
    },
  });
}

async function open(command: ConnectCommand): Promise<void> {
  const agents = (await agentsModule) as Agents;
  const s = new Speaker(command.speed, command.reportAudio);
  speaker = s;
  const agent = new agents.RealtimeAgent({
    name: 'swaram-conformance',
    instructions: command.session.instructions ?? '',
    ...(command.session.voice !== undefined ? { voice: command.session.voice } : {}),
    tools: (command.session.tools ?? []).map((t) => makeTool(agents, t)),
  });
  const td = command.session.turn_detection;
  const config: Record<string, unknown> = {
    ...(command.session.tool_choice !== undefined
      ? { toolChoice: command.session.tool_choice }
      : {}),
    ...(td && typeof td === 'object' ? { audio: { input: { turnDetection: camel(td) } } } : {}),
  };
  const sess = new agents.RealtimeSession(agent, {
    transport: 'websocket',
    model: command.model,
    ...(Object.keys(config).length > 0 ? { config } : {}),
  });
  session = sess;

  sess.transport.on('connection_change', ((status: string) => {
    if (status === 'connected') send({ type: 'connection', state: 'open', attempt: 1 });
    else if (status === 'disconnected') {
      live = false;
      send({
        type: 'connection',
        state: 'closed',
        attempt: 1,
        ...(endedByApp ? { by: 'client' } : {}),
      });
      closedResolve?.();
    }
  }) as Listener);
  sess.transport.on('session.updated', (() =>
    send({ type: 'connection', state: 'ready', attempt: 1 })) as Listener);

  let deltaItemId = '';
  sess.transport.on('response.output_audio.delta', ((event: { item_id?: string }) => {
    deltaItemId = event.item_id ?? '';
  }) as Listener);
  sess.on('audio', ((event: { data: ArrayBuffer; responseId?: string }) => {
    s.enqueue(Buffer.from(event.data), event.responseId ?? '', deltaItemId);
  }) as Listener);
  sess.on('audio_interrupted', (() => {
    s.stop(stopReason);
    stopReason = 'barge-in';
  }) as Listener);

  const shown = new Map<string, string>();
  sess.on('history_updated', ((history: HistoryItem[]) => {
    for (const item of history) {
      if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) continue;
      const text = (item.content ?? []).map((c) => c.transcript ?? c.text ?? '').join('');
      const final = item.status === 'completed';
      const key = `${text}\u0000${final}`;
      if (text === '' || shown.get(item.itemId) === key) continue;
      shown.set(item.itemId, key);
      send({ type: 'transcript', role: item.role, item_id: item.itemId, text, final });
    }
  }) as Listener);

  sess.on('error', ((event: { error?: unknown }) => {
    const e = kindOf(event?.error);
    log(`sdk error: ${e.message}`);
    observeError(e.kind, e.message, { code: e.code });
  }) as Listener);

  const url = new URL(command.url);
  url.searchParams.set('model', command.model);
  send({ type: 'connection', state: 'connecting', attempt: 1 });
  await sess.connect({ apiKey: command.apiKey, url: url.toString() });
}

runAdapter({
  client: {
    name: '@openai/agents-realtime (RealtimeSession, websocket)',
    version: sdkVersion,
    language: 'typescript',
  },
  features: ['playback', 'barge-in', 'cancel', 'tools', 'transcripts', 'premium'],
  tools,
  handlers: {
    connect(command) {
      if (live)
        throw new CommandError('bad_state', 'a session is live: end it before connecting again');
      live = true;
      endedByApp = false;
      open(command).catch((err: unknown) => {
        log(`connect failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        // What session.connect() rejected with is what the app sees.
        const e = kindOf(err);
        observeError(e.kind === 'other' ? 'network' : e.kind, e.message, { code: e.code });
        if (live && session?.transport.status !== 'connected') {
          live = false;
          if (!session) send({ type: 'connection', state: 'closed', attempt: 1 });
        }
      });
    },
    micAudio(pcm) {
      if (!live && !session) throw new CommandError('bad_state', 'mic.audio before connect');
      if (!session) return; // the SDK is still loading
      const copy = new ArrayBuffer(pcm.length);
      new Uint8Array(copy).set(pcm);
      session.sendAudio(copy);
    },
    micEnd() {
      // RealtimeSession holds no microphone audio of its own.
    },
    interrupt() {
      if (!session) throw new CommandError('bad_state', 'interrupt before connect');
      stopReason = 'interrupt';
      session.interrupt();
      stopReason = 'barge-in';
    },
    end() {
      endedByApp = true;
      speaker?.stop('end');
      speaker?.close();
      session?.close();
    },
    async shutdown() {
      if (!session || !live) return;
      const closed = new Promise<void>((resolve) => {
        closedResolve = resolve;
        setTimeout(resolve, 1_000);
      });
      endedByApp = true;
      speaker?.stop('end');
      speaker?.close();
      session.close();
      await closed;
    },
  },
});
