import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex, Writable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { loadFixture, type Fixture } from '../protocol/fixture/load-fixture.js';
import { realClock, type Clock } from './clock.js';
import type { Fault } from '../protocol/fixture/fault-schema.js';
import { FaultStage } from './faults.js';
import { FrameLog, redactKey, type WireFrame } from './frame-log.js';
import { listen } from './listen.js';
import { Scheduler } from './scheduler.js';
import { counterIds, errorEvent } from './server-events.js';
import {
  flattenSession,
  MODEL_MODES,
  Session,
  type Mode,
  type SessionSettings,
  type SessionStats,
} from './session.js';
import type { VadOptions } from './vad.js';

/** The key every mock accepts unless `keys` says otherwise. Printed at start. */
export const DEFAULT_TEST_KEY = 'swaram_test_key';

/** Options of {@link startMockServer}; every one has a default. */
export interface MockServerOptions {
  /** A built-in fixture's name, a fixture folder, or a loaded fixture. Default `greeting`. */
  fixture?: string | Fixture;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: any free port (read it from `server.port`). */
  port?: number;
  /** Force a mode whatever the model; default: by the `model` query parameter. */
  mode?: Mode;
  /** Replay speed factor: 2 plays replies twice as fast. Default 1. */
  speed?: number;
  /** Accepted secret keys. Default: the fixture's `server.keys`, else `[DEFAULT_TEST_KEY]`. */
  keys?: string[];
  /** Seconds of audio (in and out) each key may use; default unlimited. 4003 when spent. */
  creditsSeconds?: number;
  /** Live connections per key; default unlimited. The next one is closed with 4008. */
  maxConnectionsPerKey?: number;
  /** Live connections on the whole server; default unlimited. The next one gets 1013. */
  capacity?: number;
  /** Serve `wss:`: `true` for a generated self-signed pair, or your PEM cert and key. */
  tls?: boolean | { cert: string | Buffer; key: string | Buffer };
  /** Lifetime of ephemeral tokens, seconds. Default 60. */
  tokenTtlSeconds?: number;
  /** Faults for every session (the fixture's script comes first). */
  faults?: Fault[];
  /** VAD settings; defaults in `VAD_DEFAULTS`. */
  vad?: VadOptions;
  /** Largest frame accepted; bigger ones are closed with 1009. Default 16 MiB. */
  maxPayloadBytes?: number;
  /** A session whose unsent output exceeds this is closed with 1008. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** JSON lines log: a path, a stream, or undefined for none. */
  log?: string | Writable;
  /** Default: the real monotonic clock. */
  clock?: Clock;
  /** Sees every frame in both directions (the conformance runner's trace). */
  onFrame?: (frame: WireFrame) => void;
  /** Called when a session ends, with its summary. */
  onSessionEnd?: (summary: SessionSummary) => void;
  /**
   * Sees every WebSocket connection, refused ones included: when it opened, and when and how
   * it closed (the conformance runner's connection log).
   */
  onConnection?: (event: ConnectionEvent) => void;
  /** Random source for jitter; default Math.random. */
  random?: () => number;
}

/** A live session as the server's API shows it. */
export interface SessionInfo {
  id: string;
  number: number;
  key: string;
  model: string;
  mode: Mode;
  openedAt: number;
  stats: SessionStats;
}

/** What happened in a finished session, for logs and the terminal. */
export interface SessionSummary extends SessionInfo {
  durationMs: number;
  closeCode: number;
  closeReason: string;
  closedBy: 'server' | 'client';
}

/** A connection opened or closed (see `onConnection`). */
export type ConnectionEvent =
  | { kind: 'opened'; session: string; number: number; at: number }
  | {
      kind: 'closed';
      session: string;
      number: number;
      at: number;
      code: number;
      reason: string;
      closedBy: 'server' | 'client';
    };

/** A running mock swaram server. */
export interface MockServer {
  /** `ws://127.0.0.1:PORT/v1/realtime` (or `wss:`), without a model. */
  readonly url: string;
  readonly port: number;
  readonly fixture: Fixture;
  /** The live sessions. */
  readonly sessions: ReadonlyMap<string, SessionInfo>;
  /** The accepted secret keys (the first is the one to use). */
  readonly keys: readonly string[];
  /** PEM certificate when serving `wss:` (trust it in your client). */
  readonly certificate: string | undefined;
  readonly scheduler: Scheduler;
  /** Adds a fault to live and future sessions; returns a function that removes it. */
  inject(fault: Fault): () => void;
  /** Health figures, as `GET /health` serves them. */
  health(): Record<string, unknown>;
  /** Closes every session (1001) and the listener. */
  close(): Promise<void>;
}

interface KeyState {
  live: number;
  creditsLeftMs: number;
}

interface LiveSession {
  info: SessionInfo;
  session: Session;
  stage: FaultStage;
  ws: WebSocket;
}

interface Token {
  key: string;
  expiresAt: number;
  model: string | undefined;
  locked: Partial<SessionSettings>;
}

const REALTIME_PATH = '/v1/realtime';
const SECRETS_PATH = '/v1/realtime/client_secrets';

/**
 * Starts a mock swaram server.
 *
 * @example
 * const server = await startMockServer({ fixture: 'greeting' });
 * const ws = new WebSocket(`${server.url}?model=mal-realtime-simple`, {
 *   headers: { Authorization: `Bearer ${server.keys[0]}` },
 * });
 * // … later
 * await server.close();
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const fixture =
    typeof options.fixture === 'object'
      ? options.fixture
      : await loadFixture(options.fixture ?? 'greeting');
  const fx = fixture.server ?? {};
  const clock = options.clock ?? realClock;
  const scheduler = new Scheduler(clock);
  const random = options.random ?? Math.random;
  const keys = options.keys ?? fx.keys ?? [DEFAULT_TEST_KEY];
  const creditsMs = (options.creditsSeconds ?? fx.creditsSeconds ?? Infinity) * 1000;
  const maxPerKey = options.maxConnectionsPerKey ?? fx.maxConnectionsPerKey ?? Infinity;
  const capacity = options.capacity ?? fx.capacity ?? Infinity;
  const tokenTtlMs = (options.tokenTtlSeconds ?? 60) * 1000;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const faults: Fault[] = [...fixture.faults, ...(options.faults ?? [])];
  const logStream = openLogStream(options.log);
  const log = logStream ? new FrameLog(logStream) : undefined;

  const keyStates = new Map<string, KeyState>();
  const tokens = new Map<string, Token>();
  const live = new Map<string, LiveSession>();
  const infos = new Map<string, SessionInfo>();
  let sessionCount = 0;
  const ids = counterIds();
  const startedAt = clock.now();

  const keyState = (key: string): KeyState => {
    let s = keyStates.get(key);
    if (!s) keyStates.set(key, (s = { live: 0, creditsLeftMs: creditsMs }));
    return s;
  };

  let certificate: string | undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => handleHttp(req, res);
  let http;
  if (options.tls) {
    const pair =
      options.tls === true
        ? await generateCertificate(options.host ?? '127.0.0.1')
        : { cert: options.tls.cert.toString(), key: options.tls.key.toString() };
    certificate = pair.cert;
    http = createHttpsServer({ cert: pair.cert, key: pair.key }, onRequest);
  } else {
    http = createHttpServer(onRequest);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 16 * 1024 * 1024,
    // Browsers offer ["realtime", "openai-insecure-api-key.<key>"]; answer "realtime".
    handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://mock');
    if (url.pathname !== REALTIME_PATH) {
      socket.end(
        `HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nswaram-mock serves ${REALTIME_PATH}\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, url));
  });

  function accept(ws: WebSocket, req: IncomingMessage, url: URL): void {
    ws.on('error', () => {
      // ws closes the socket itself (1009 for oversized frames, 1002 for protocol errors);
      // the error must not reach the process.
    });
    const number = ++sessionCount;
    const id = `sess_${number.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
    let closedByServer = false;
    options.onConnection?.({ kind: 'opened', session: id, number, at: clock.now() });
    ws.once('close', (code, reason) =>
      options.onConnection?.({
        kind: 'closed',
        session: id,
        number,
        at: clock.now(),
        code,
        reason: reason.toString(),
        closedBy: closedByServer ? 'server' : 'client',
      }),
    );
    const credential = readCredential(req, url);
    const token = credential ? tokens.get(credential) : undefined;
    const refuse = (code: number, reason: string, error?: { code: ErrorCode; message: string }) => {
      if (error) {
        const text = JSON.stringify(errorEvent(ids('event'), error));
        observe({ session: id, dir: 'out', at: clock.now(), text, type: 'error' });
        ws.send(text);
      }
      closedByServer = true;
      ws.close(code, reason);
      log?.note(id, clock.now(), 'refused', { code, reason, key: redactKey(credential) });
    };

    let key: string;
    if (token) {
      if (clock.now() > token.expiresAt) {
        tokens.delete(credential!);
        return refuse(CloseCode.INVALID_API_KEY, 'token expired', {
          code: ErrorCode.INVALID_API_KEY,
          message: 'the ephemeral token has expired: mint a new one',
        });
      }
      key = token.key;
    } else if (credential !== undefined && keys.includes(credential)) {
      key = credential;
    } else {
      return refuse(CloseCode.INVALID_API_KEY, 'invalid api key', {
        code: ErrorCode.INVALID_API_KEY,
        message: credential === undefined ? 'no API key was given' : 'the API key is not valid',
      });
    }

    const model = token?.model ?? url.searchParams.get('model') ?? 'mal-realtime-simple';
    const modelMode = MODEL_MODES[model];
    if (!modelMode) {
      return refuse(CloseCode.POLICY_VIOLATION, 'invalid model', {
        code: ErrorCode.INVALID_MODEL,
        message: `unknown model ${JSON.stringify(model)}: use one of ${Object.keys(MODEL_MODES).join(', ')}`,
      });
    }
    if (live.size >= capacity) return refuse(CloseCode.SERVER_BUSY, 'server busy');
    const ks = keyState(key);
    if (ks.live >= maxPerKey) {
      return refuse(CloseCode.TOO_MANY_CONNECTIONS, 'too many connections', {
        code: ErrorCode.TOO_MANY_CONNECTIONS,
        message: `this key already has ${ks.live} open connection(s), the limit of its plan`,
      });
    }
    if (ks.creditsLeftMs <= 0) {
      return refuse(CloseCode.OUT_OF_CREDITS, 'out of credits', {
        code: ErrorCode.INSUFFICIENT_CREDITS,
        message: 'your credits are spent: add credits to continue',
      });
    }

    ks.live += 1;
    const mode = options.mode ?? modelMode;
    const info: SessionInfo = {
      id,
      number,
      key,
      model,
      mode,
      openedAt: clock.now(),
      stats: undefined!,
    };
    const stage = new FaultStage(
      {
        write: (text, type) => {
          if (ws.readyState !== ws.OPEN) return;
          if (ws.bufferedAmount > maxBuffered) {
            stage.close(
              CloseCode.POLICY_VIOLATION,
              'send buffer full: the client reads too slowly',
            );
            // A client that does not read will not read the close frame either.
            setTimeout(() => ws.terminate(), 1000).unref();
            return;
          }
          observe({ session: id, dir: 'out', at: clock.now(), text, type });
          ws.send(text);
        },
        close: (code, reason) => {
          closedByServer = true;
          session.end();
          ws.close(code, reason);
        },
        terminate: () => {
          closedByServer = true;
          session.end();
          ws.terminate();
        },
        nextEventId: () => ids('event'),
      },
      scheduler,
      number,
      random,
      options.speed ?? 1,
    );
    const session: Session = new Session({
      id,
      model,
      mode,
      script: fixture,
      scheduler,
      out: stage,
      speed: options.speed ?? 1,
      ...(options.vad ? { vad: options.vad } : {}),
      ...(token ? { locked: token.locked } : {}),
      ...(Number.isFinite(creditsMs)
        ? {
            credits: {
              spend: (ms: number) => {
                ks.creditsLeftMs -= ms;
                return ks.creditsLeftMs > 0;
              },
            },
          }
        : {}),
      ids,
      onInternalError: (error) => reportInternalError(id, error),
    });
    info.stats = session.stats;
    live.set(id, { info, session, stage, ws });
    infos.set(id, info);
    log?.note(id, clock.now(), 'connected', { key: redactKey(key), model, mode });

    ws.on('message', (data, isBinary) => {
      const at = clock.now();
      if (isBinary) {
        observe({ session: id, dir: 'in', at, text: '<binary>', type: undefined, binary: true });
        session.receiveBinary();
        return;
      }
      const text = data.toString();
      observe({ session: id, dir: 'in', at, text, type: peekType(text) });
      session.receiveText(text);
    });
    ws.on('close', (code, reason) => {
      session.end();
      ks.live -= 1;
      live.delete(id);
      infos.delete(id);
      const summary: SessionSummary = {
        ...info,
        durationMs: clock.now() - info.openedAt,
        closeCode: code,
        closeReason: reason.toString(),
        closedBy: closedByServer ? 'server' : 'client',
      };
      log?.note(id, clock.now(), 'closed', {
        code,
        reason: summary.closeReason,
        by: summary.closedBy,
      });
      options.onSessionEnd?.(summary);
    });

    for (const f of faults) stage.add(f, { connected: false });
    stage.onConnect();
    session.start();
  }

  function reportInternalError(session: string, error: unknown): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log?.note(session, clock.now(), 'internal_error', { message });
    process.stderr.write(`swaram-mock: ${session}: internal error (session goes on): ${message}\n`);
  }

  function observe(frame: WireFrame): void {
    log?.frame(frame);
    options.onFrame?.(frame);
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://mock');
    if (req.method === 'GET' && (url.pathname === '/health' || url.pathname === '/healthz')) {
      return json(res, 200, health());
    }
    if (url.pathname === SECRETS_PATH) {
      if (req.method !== 'POST') return json(res, 405, httpError('method_not_allowed', 'use POST'));
      return void mintToken(req, res);
    }
    json(
      res,
      404,
      httpError(
        'not_found',
        `swaram-mock serves ${REALTIME_PATH} (WebSocket), ${SECRETS_PATH} and /health`,
      ),
    );
  }

  async function mintToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = req.headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    if (!key || !keys.includes(key)) {
      return json(
        res,
        401,
        httpError(
          'invalid_api_key',
          'client secrets are minted with a secret key: Authorization: Bearer swaram_…',
        ),
      );
    }
    let body: { model?: unknown; session?: unknown; expires_after?: { seconds?: unknown } } = {};
    try {
      const raw = await readBody(req, 64 * 1024);
      body = raw.length > 0 ? (JSON.parse(raw) as typeof body) : {};
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new Error('not an object');
    } catch (error) {
      return json(
        res,
        400,
        httpError('invalid_json', `the body must be a JSON object: ${(error as Error).message}`),
      );
    }
    const model = typeof body.model === 'string' ? body.model : undefined;
    if (model !== undefined && !MODEL_MODES[model]) {
      return json(res, 400, httpError('invalid_model', `unknown model ${JSON.stringify(model)}`));
    }
    const session =
      body.session && typeof body.session === 'object'
        ? (body.session as Record<string, unknown>)
        : {};
    const ttl =
      typeof body.expires_after?.seconds === 'number'
        ? body.expires_after.seconds * 1000
        : tokenTtlMs;
    const value = `swaram_ek_${randomBytes(18).toString('base64url')}`;
    const locked = flattenSession(session);
    tokens.set(value, { key, expiresAt: clock.now() + ttl, model, locked });
    json(res, 200, {
      value,
      expires_at: Math.floor(Date.now() / 1000 + ttl / 1000),
      session: { ...(model ? { model } : {}), ...locked },
    });
  }

  function health(): Record<string, unknown> {
    return {
      status: 'ok',
      uptimeMs: Math.round(clock.now() - startedAt),
      fixture: fixture.name,
      liveSessions: live.size,
      totalSessions: sessionCount,
      pacing: scheduler.latenessStats(),
    };
  }

  const address = await listen(http, options.port, options.host);
  const hostForUrl = address.hostForUrl;
  const url = `${options.tls ? 'wss' : 'ws'}://${hostForUrl}:${address.port}${REALTIME_PATH}`;

  return {
    url,
    port: address.port,
    fixture,
    sessions: infos,
    keys,
    certificate,
    scheduler,
    inject(fault) {
      faults.push(fault);
      const removers = [...live.values()].map((s) => s.stage.add(fault, { connected: true }));
      return () => {
        const i = faults.indexOf(fault);
        if (i >= 0) faults.splice(i, 1);
        for (const r of removers) r();
      };
    },
    health,
    async close() {
      for (const s of live.values()) {
        s.session.end();
        s.ws.close(1001, 'server shutting down');
      }
      const closing = new Promise<void>((resolve) => http.close(() => resolve()));
      // Give clients a moment to answer the close frames, then cut what is left.
      await Promise.race([waitUntilEmpty(live), delay(1000)]);
      for (const s of live.values()) s.ws.terminate();
      wss.close();
      http.closeAllConnections?.();
      await closing;
      scheduler.stop();
      // Close only a file this server opened; a stream passed in belongs to the caller.
      if (typeof options.log === 'string' && options.log !== '-' && logStream) {
        await endStream(logStream);
      }
    },
  };
}

/** `-` is stdout, another string a file appended to, a stream is used as is. */
function openLogStream(target: string | Writable | undefined): Writable | undefined {
  if (target === undefined || typeof target !== 'string') return target;
  return target === '-' ? process.stdout : createWriteStream(target, { flags: 'a' });
}

/** Credentials in swaram's order: Bearer header, `?api_key=`, then the subprotocol. */
function readCredential(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const q = url.searchParams.get('api_key');
  if (q) return q;
  const protocols = req.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith('openai-insecure-api-key.'))
        return t.slice('openai-insecure-api-key.'.length);
    }
  }
  return undefined;
}

/** The `type` of a frame without a full parse (for logs); the session parses properly. */
function peekType(text: string): string | undefined {
  const m = /"type"\s*:\s*"([^"\\]{1,100})"/.exec(text.slice(0, 300));
  return m?.[1];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function httpError(code: string, message: string) {
  return { error: { type: 'invalid_request_error', code, message } };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(`larger than ${limit} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function generateCertificate(host: string): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'swaram-mock' }], {
    days: 30,
    keySize: 2048,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: host === '0.0.0.0' ? '127.0.0.1' : host },
        ],
      },
    ],
  } as Parameters<typeof generate>[1]);
  return { cert: pems.cert, key: pems.private };
}

function waitUntilEmpty(map: Map<string, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (map.size === 0 ? resolve() : setTimeout(check, 10).unref());
    check();
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function endStream(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}
