import { createWriteStream } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex, Writable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { loadFixture, type Fixture } from '../protocol/fixture/load-fixture.js';
import type { Fault } from '../protocol/fixture/fault-schema.js';
import { KeyBook, type Admitted } from './admission.js';
import { realClock, type Clock } from './clock.js';
import {
  acceptConnection,
  admissionOf,
  type HandedConnection,
  type ServerContext,
} from './connection.js';
import { FrameLog, type WireFrame } from './frame-log.js';
import {
  healthRoute,
  httpHandler,
  REALTIME_PATH,
  tokenRoute,
  type HttpRoute,
} from './http-endpoints.js';
import {
  Journal,
  type FrameFilter,
  type JournalFrame,
  type JournalOptions,
  type SessionRecord,
  type WaitedFrame,
  type WaitForOptions,
} from './journal.js';
import { adminRoutes, type AdminDesk } from './admin-routes.js';
import { listen } from './listen.js';
import {
  LoadMonitor,
  ProcessHealth,
  SHEDDING_DEFAULTS,
  type SheddingChange,
  type SheddingThresholds,
} from './load-shedding.js';
import { Scheduler } from './scheduler.js';
import { counterIds } from './server-events.js';
import type { Mode, SessionStats } from './session.js';
import type { VadOptions } from './vad.js';

/** The key every mock accepts unless `keys` says otherwise. Printed at start. */
export const DEFAULT_TEST_KEY = 'swaram_test_key';

/** Seconds without a frame from the client before an admitted session is closed. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 300;

/** Ms between the server's pings to each client (`pingIntervalMs`). */
export const DEFAULT_PING_INTERVAL_MS = 20_000;

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
  /**
   * Load shedding: refuse a new session with 1013 when the server is overloaded (event-loop
   * delay, utilisation or pacing lateness over a threshold; see docs/mock-server.md, "Load
   * shedding"). `true` for {@link SHEDDING_DEFAULTS}, or thresholds to change. Default off
   * (in-process mocks in tests must not depend on the machine's load); `swaram-mock` turns
   * it on.
   */
  shedding?: boolean | (Partial<SheddingThresholds> & { intervalMs?: number });
  /** Told when shedding begins and when the server admits again. */
  onShedding?: (change: SheddingChange) => void;
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
  /**
   * Ms a session's unsent output may stay over `maxBufferedBytes` after the last write (a
   * client that stopped reading) before it is closed with 1008 and cut. Default 2000.
   */
  bufferGraceMs?: number;
  /**
   * Seconds (real time) an admitted client may send nothing (no frame, no ping) before its
   * session is closed with 1000 `idle timeout`. Default 300; 0 turns it off.
   */
  idleTimeoutSeconds?: number;
  /**
   * Ms (server clock, so a fake clock steps it) between the server's WebSocket pings to each
   * admitted client, as a real server's keep-alive; 0 turns them off. Default 20 000. The
   * server answers the client's pings itself (until a `blackhole` fault silences it).
   */
  pingIntervalMs?: number;
  /**
   * Ms a connection has to finish its HTTP request headers (the WebSocket handshake, or a
   * request to an HTTP endpoint) and, with TLS, its TLS handshake; slower ones are cut.
   * Default 10 000.
   */
  handshakeTimeoutMs?: number;
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
  /** Sees every WebSocket ping and pong of an admitted session, both ways (LIVENESS). */
  onControl?: (event: ControlEvent) => void;
  /** Random source for jitter; default Math.random. */
  random?: () => number;
  /** Bounds of the frame journal (`GET /sessions/:id/frames`, `server.frames()`). */
  journal?: JournalOptions;
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

/**
 * A WebSocket ping or pong of an admitted session (see `onControl`): `out` the server sent it,
 * `in` it came from the client.
 */
export interface ControlEvent {
  session: string;
  number: number;
  kind: 'ping' | 'pong';
  dir: 'in' | 'out';
  at: number;
}

/** A connection opened or closed (see `onConnection`). */
export type ConnectionEvent =
  | { kind: 'opened'; session: string; number: number; at: number }
  | {
      kind: 'closed';
      session: string;
      number: number;
      /** When the server sent its close frame (or cut the socket); else the handshake's end. */
      at: number;
      /** When the close handshake completed (the socket closed). */
      handshakeAt?: number;
      code: number;
      reason: string;
      closedBy: 'server' | 'client';
      /**
       * Present when the server refused the connection at connect; the key is redacted.
       * `shed`: why the server was overloaded, when it refused to shed load (1013).
       */
      refused?: { key: string | undefined; shed?: string };
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
  /**
   * Live and recently closed sessions, oldest first, as `GET /sessions` serves them (the
   * journal keeps `journal.maxClosedSessions` closed ones, default 50).
   */
  listSessions(): SessionRecord[];
  /**
   * The journal's frames matching `filter`, in order: events parsed, audio replaced by
   * `"<N bytes of audio>"`, keys redacted; at most `journal.maxFramesPerSession` (default
   * 1000) per session, the oldest dropped first.
   */
  frames(filter?: FrameFilter): JournalFrame[];
  /**
   * The first frame of `type` already in the journal (after `options.after`), else the next
   * one; typed by the event type. Rejects after `timeoutMs` (default 5000).
   *
   * @example
   * const updated = await server.waitFor('session.updated');
   * updated.event?.session.voice; // typed as ServerEventOf<'session.updated'>
   */
  waitFor<T extends string>(type: T, options?: WaitForOptions): Promise<WaitedFrame<T>>;
  /**
   * What `POST /reset` does: forgets closed sessions and every frame kept, and removes the
   * faults injected at run time (`inject()`, `POST /faults`) from those new sessions start
   * with. Live sessions go on, with the faults they already have; the fixture's and the
   * `faults` option's faults stay.
   */
  reset(): void;
  /** Health figures, as `GET /health` serves them. */
  health(): Record<string, unknown>;
  /** Closes every session (1001) and the listener. */
  close(): Promise<void>;
}

/**
 * How `swaram-mock --workers` (mock-server/cluster.ts) builds its processes out of this
 * server; internal, not part of the library API.
 */
export interface ClusterHooks {
  /**
   * The primary: runs an admitted connection in a worker, before its upgrade. The cluster
   * counts it in `book` (the key's live connections) and in `liveElsewhere` until it ends.
   */
  handOff?(
    conn: {
      req: IncomingMessage;
      socket: Duplex;
      head: Buffer;
      admitted: Admitted;
      number: number;
    },
    book: KeyBook,
  ): void;
  /** Sessions live in the workers: they count against the capacity. */
  liveElsewhere?(): number;
  /** Routes answered before the server's own (the primary's merged look-ins and health). */
  routes?(own: AdminDesk): HttpRoute[];
  /** A worker: receives the function that runs a connection the primary handed over. */
  adopt?(
    run: (req: IncomingMessage, socket: Duplex, head: Buffer, handed: HandedConnection) => void,
  ): void;
  /** Runs first when the server closes (the primary closes its workers). */
  beforeClose?(): Promise<void>;
}

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
export async function startMockServer(
  options: MockServerOptions = {},
  hooks: ClusterHooks = {},
): Promise<MockServer> {
  const ctx = await serverContext(options);
  ctx.liveElsewhere = hooks.liveElsewhere;
  const { clock, scheduler, live, faults } = ctx;
  const startedAt = clock.now();
  let sessionCount = 0;
  ctx.nextNumber = () => ++sessionCount;
  const health = (): Record<string, unknown> => ({
    status: ctx.load?.isShedding ? 'shedding' : 'ok',
    uptimeMs: Math.round(clock.now() - startedAt),
    fixture: ctx.fixture.name,
    liveSessions: live.size,
    totalSessions: sessionCount,
    pacing: scheduler.latenessStats(),
    load: loadHealth(ctx.load),
    memory: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed },
  });

  const injected = new Set<Fault>();
  const inject = (fault: Fault): (() => void) => {
    faults.push(fault);
    injected.add(fault);
    const removers = [...live.values()].map((s) => s.stage.add(fault, { connected: true }));
    return () => {
      const i = faults.indexOf(fault);
      if (i >= 0) faults.splice(i, 1);
      injected.delete(fault);
      for (const r of removers) r();
    };
  };
  const reset = (): void => {
    ctx.journal.reset();
    for (let i = faults.length - 1; i >= 0; i--) if (injected.has(faults[i]!)) faults.splice(i, 1);
    injected.clear();
  };
  const listSessions = (): SessionRecord[] => {
    for (const info of ctx.infos.values()) ctx.journal.admitted(info);
    return ctx.journal.sessions();
  };
  const desk: AdminDesk = {
    keys: () => ctx.book.limits.keys,
    journal: ctx.journal,
    listSessions,
    injectAll: (fault) => void inject(fault),
    injectInto: (id, fault) => {
      const session = live.get(id);
      session?.stage.add(fault, { connected: true });
      return session !== undefined;
    },
    reset,
  };
  const onRequest = httpHandler([
    ...(hooks.routes?.(desk) ?? []),
    healthRoute(health),
    tokenRoute(ctx.book, () => clock.now()),
    ...adminRoutes(desk),
  ]);
  let certificate: string | undefined;
  let http;
  const limits = httpTimeouts(options.handshakeTimeoutMs ?? 10_000);
  if (options.tls) {
    const pair =
      options.tls === true
        ? await generateCertificate(options.host ?? '127.0.0.1')
        : { cert: options.tls.cert.toString(), key: options.tls.key.toString() };
    certificate = pair.cert;
    const tls = { cert: pair.cert, key: pair.key, handshakeTimeout: limits.headersTimeout };
    http = createHttpsServer({ ...tls, ...limits }, onRequest);
  } else {
    http = createHttpServer(limits, onRequest);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 16 * 1024 * 1024,
    // Browsers offer ["realtime", "openai-insecure-api-key.<key>"]; answer "realtime".
    handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
    // connection.ts answers pings itself, so a `blackhole` fault can stop answering them.
    autoPong: false,
  });
  const upgrade = upgradeHandler(ctx, wss, hooks);
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    upgrade(req, socket, head),
  );
  hooks.adopt?.(upgrade);

  const address = await listen(http, options.port, options.host);
  const url = `${options.tls ? 'wss' : 'ws'}://${address.hostForUrl}:${address.port}${REALTIME_PATH}`;

  return {
    url,
    port: address.port,
    fixture: ctx.fixture,
    sessions: ctx.infos,
    keys: ctx.book.limits.keys,
    certificate,
    scheduler,
    inject,
    listSessions,
    frames: (filter) => ctx.journal.frames(filter),
    waitFor: (type, waitOptions) => ctx.journal.waitFor(type, waitOptions),
    reset,
    health,
    close: async () => {
      await hooks.beforeClose?.();
      await shutdown(ctx, http, wss, options);
    },
  };
}

/**
 * What the server does with an upgrade request (or a connection the cluster's primary handed
 * over): 404 off the realtime path; else decide admission, then hand it off (the primary) or
 * upgrade and accept it here.
 */
function upgradeHandler(ctx: ServerContext, wss: WebSocketServer, hooks: ClusterHooks) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer, handed?: HandedConnection) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://mock');
    if (url.pathname !== REALTIME_PATH) {
      socket.end(
        `HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nswaram-mock serves ${REALTIME_PATH}\n`,
      );
      return;
    }
    const admission = admissionOf(ctx, req, url, handed);
    if (hooks.handOff && 'admitted' in admission.decision) {
      const { admitted } = admission.decision;
      return hooks.handOff({ req, socket, head, admitted, number: ctx.nextNumber() }, ctx.book);
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      acceptConnection(ctx, ws, req, url, handed, admission),
    );
  };
}

/** Everything the server's connections share, from the options and the fixture. */
async function serverContext(
  options: MockServerOptions,
): Promise<ServerContext & { faults: Fault[]; logStream: Writable | undefined; journal: Journal }> {
  const fixture =
    typeof options.fixture === 'object'
      ? options.fixture
      : await loadFixture(options.fixture ?? 'greeting');
  const fx = fixture.server ?? {};
  const clock = options.clock ?? realClock;
  const logStream = openLogStream(options.log);
  const book = new KeyBook(
    {
      keys: options.keys ?? fx.keys ?? [DEFAULT_TEST_KEY],
      capacity: options.capacity ?? fx.capacity ?? Infinity,
      maxConnectionsPerKey: options.maxConnectionsPerKey ?? fx.maxConnectionsPerKey ?? Infinity,
      shedding: sheddingThresholds(options.shedding),
    },
    (options.creditsSeconds ?? fx.creditsSeconds ?? Infinity) * 1000,
    (options.tokenTtlSeconds ?? 60) * 1000,
  );
  const journal = new Journal(options.journal);
  const scheduler = new Scheduler(clock);
  const live = new Map<string, never>() as ServerContext['live'];
  const load = loadMonitor(options, book, scheduler, () => live.size);
  return {
    journal,
    load,
    fixture,
    clock,
    scheduler,
    random: options.random ?? Math.random,
    book,
    faults: [...fixture.faults, ...(options.faults ?? [])],
    live,
    infos: new Map(),
    ids: counterIds(),
    log: logStream ? new FrameLog(logStream) : undefined,
    logStream,
    mode: options.mode,
    speed: options.speed ?? 1,
    vad: options.vad,
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
    bufferGraceMs: options.bufferGraceMs ?? 2000,
    idleTimeoutMs: (options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS) * 1000,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    onControl: options.onControl,
    nextNumber: () => 0,
    onFrame: (frame) => {
      journal.frame(frame);
      options.onFrame?.(frame);
    },
    onConnection: (event) => {
      journal.connection(event);
      options.onConnection?.(event);
    },
    onSessionEnd: (summary) => {
      journal.ended(summary);
      options.onSessionEnd?.(summary);
    },
  };
}

/** Closes every session (1001), waits up to a second for the clients, then the listener. */
async function shutdown(
  ctx: ServerContext & { logStream: Writable | undefined },
  http: HttpServer,
  wss: WebSocketServer,
  options: MockServerOptions,
): Promise<void> {
  const { live } = ctx;
  for (const s of live.values()) {
    s.session.end();
    s.ws.close(1001, 'server shutting down');
  }
  const closing = new Promise<void>((resolve) => http.close(() => resolve()));
  // Give clients a moment to answer the close frames, then cut what is left.
  await allClosed(
    [...live.values()].map((s) => s.ws),
    SHUTDOWN_GRACE_MS,
  );
  for (const s of live.values()) s.ws.terminate();
  wss.close();
  http.closeAllConnections?.();
  await closing;
  ctx.scheduler.stop();
  ctx.load?.stop();
  // Close only a file this server opened; a stream passed in belongs to the caller.
  if (typeof options.log === 'string' && options.log !== '-' && ctx.logStream) {
    await endStream(ctx.logStream);
  }
}

/** The thresholds `options.shedding` asks for (undefined: no shedding). */
function sheddingThresholds(
  shedding: MockServerOptions['shedding'],
): SheddingThresholds | undefined {
  if (!shedding) return undefined;
  if (shedding === true) return { ...SHEDDING_DEFAULTS };
  const { intervalMs: _interval, ...given } = shedding;
  return { ...SHEDDING_DEFAULTS, ...given };
}

/** The load monitor when the limits have shedding thresholds. */
function loadMonitor(
  options: MockServerOptions,
  book: KeyBook,
  scheduler: Scheduler,
  live: () => number,
): LoadMonitor | undefined {
  const thresholds = book.limits.shedding;
  if (!thresholds) return undefined;
  const intervalMs = typeof options.shedding === 'object' ? options.shedding.intervalMs : undefined;
  const monitor = new LoadMonitor(
    new ProcessHealth(scheduler),
    thresholds,
    live,
    options.onShedding,
  );
  return monitor.start(intervalMs ?? 500);
}

/** `/health`'s `load` section: the latest sample, the thresholds and the shedding counts. */
function loadHealth(load: LoadMonitor | undefined): Record<string, unknown> {
  if (!load) return { shedding: false };
  const s = load.latest;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    shedding: true,
    thresholds: load.thresholds,
    ...(s
      ? {
          eventLoopDelayP99Ms: round(s.loopDelayMs),
          utilization: Math.round(s.utilization * 1000) / 1000,
          pacingLatenessP99Ms: round(s.pacingLatenessMs),
          cpu: Math.round(s.cpu * 1000) / 1000,
          ...(s.sessionCpu !== undefined
            ? { sessionCpuMsPerSecond: round(s.sessionCpu * 1000) }
            : {}),
        }
      : {}),
    ...load.counts,
  };
}

/**
 * Node's HTTP time limits from the handshake limit: a connection that drips its request
 * headers (or sends none) is cut after `ms`; a whole request (a token body) gets at least 30 s.
 * Node checks them every `connectionsCheckingInterval`, so that is kept well under `ms`.
 */
function httpTimeouts(ms: number) {
  return {
    headersTimeout: ms,
    requestTimeout: Math.max(ms, 30_000),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(ms / 4))),
  };
}

/** `-` is stdout, another string a file appended to, a stream is used as is. */
function openLogStream(target: string | Writable | undefined): Writable | undefined {
  if (target === undefined || typeof target !== 'string') return target;
  return target === '-' ? process.stdout : createWriteStream(target, { flags: 'a' });
}

/**
 * A self-signed PEM pair for `host` (and `localhost`), valid 30 days: what `tls: true` serves.
 * The conformance runner makes one per run for `--tls` and hands the adapter its certificate.
 */
export async function generateCertificate(host: string): Promise<{ cert: string; key: string }> {
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

/** How long a shutdown waits for the clients to answer its close frames, ms. */
const SHUTDOWN_GRACE_MS = 1000;

/**
 * Resolves once every socket has emitted `close` (a session leaves `live` on that event), or
 * after `ms`. Woken by the close events themselves, with an ordinary timer cleared once decided:
 * it used to poll `live` on unref'd timers, so in a process with nothing else alive (the
 * conformance runner while its one running scenario shut its mock down) a session whose close
 * arrived after the first look left only an unref'd timer to wait for, and the process ended
 * in the middle of the shutdown with the close promise never settled.
 */
function allClosed(sockets: readonly WebSocket[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  const closed = sockets.map((ws) =>
    ws.readyState === ws.CLOSED
      ? undefined
      : new Promise<void>((resolve) => ws.once('close', () => resolve())),
  );
  return Promise.race([Promise.all(closed).then(() => undefined), grace]).finally(() =>
    clearTimeout(timer),
  );
}

function endStream(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}
