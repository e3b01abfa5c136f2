import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import { TextFrame } from '../protocol/codec.js';
import type { Fault } from '../protocol/fixture/fault-schema.js';
import type { Fixture } from '../protocol/fixture/load-fixture.js';
import {
  decideAdmission,
  readCredential,
  type Admitted,
  type KeyBook,
  type KeyState,
  type Refusal,
  type Token,
} from './admission.js';
import type { Clock } from './clock.js';
import type { LoadMonitor } from './load-shedding.js';
import { FaultStage } from './faults.js';
import { redactKey, type FrameLog, type WireFrame } from './frame-log.js';
import type { ConnectionEvent, ControlEvent, SessionInfo, SessionSummary } from './mock-server.js';
import type { Scheduler } from './scheduler.js';
import { errorEvent, type IdMaker } from './server-events.js';
import { Session, type Mode } from './session.js';
import type { VadOptions } from './vad.js';

/** A session and what the server keeps of it while it lives. */
export interface LiveSession {
  info: SessionInfo;
  session: Session;
  stage: FaultStage;
  ws: WebSocket;
}

/** What every connection of one server shares (built once by `startMockServer`). */
export interface ServerContext {
  fixture: Fixture;
  clock: Clock;
  scheduler: Scheduler;
  random: () => number;
  book: KeyBook;
  /** The faults every new session starts with (fixture's, options', injected). */
  faults: readonly Fault[];
  live: Map<string, LiveSession>;
  infos: Map<string, SessionInfo>;
  ids: IdMaker;
  log: FrameLog | undefined;
  mode: Mode | undefined;
  speed: number;
  vad: VadOptions | undefined;
  maxBufferedBytes: number;
  /** Ms a socket's unsent bytes may stay over `maxBufferedBytes` with no write before it is cut. */
  bufferGraceMs: number;
  /** Ms (real time) without any frame from an admitted client before it is closed; 0: never. */
  idleTimeoutMs: number;
  /** Ms (server clock) between the server's pings to an admitted client; 0: never. */
  pingIntervalMs: number;
  /** Load shedding's health samples and counts; undefined when shedding is off. */
  load?: LoadMonitor | undefined;
  /** Sessions live in other processes that count against this server's limits (`--workers`). */
  liveElsewhere?: (() => number) | undefined;
  /** The next 1-based connection number. */
  nextNumber(): number;
  onFrame?: ((frame: WireFrame) => void) | undefined;
  onConnection?: ((event: ConnectionEvent) => void) | undefined;
  onSessionEnd?: ((summary: SessionSummary) => void) | undefined;
  /** Sees every ping and pong of an admitted session, both ways. */
  onControl?: ((event: ControlEvent) => void) | undefined;
}

/** Who closed a connection, and when the server's close frame went out (or it cut the socket). */
interface Closer {
  byServer: boolean;
  sentAt?: number;
  refused?: { key: string | undefined; shed?: string };
}

/**
 * A connection the primary of a `--workers` cluster admitted and handed to a worker
 * (mock-server/cluster.ts): its connection number, and what the primary decided as a token
 * that names the key, the model and the settings a client token pinned (already checked, so
 * it never expires here).
 */
export interface HandedConnection {
  number: number;
  token: Token;
}

/** A connection's credential and {@link decideAdmission}'s answer on this server's state now. */
export interface Admission {
  credential: string | undefined;
  decision: ReturnType<typeof decideAdmission>;
}

/**
 * Decides whether a connection gets in (pure: changes nothing). A handed connection carries
 * its credential as a token; what is left to decide here is what this process alone knows
 * (load, credits): the primary's limits were checked by the primary.
 */
export function admissionOf(
  ctx: ServerContext,
  req: IncomingMessage,
  url: URL,
  handed?: HandedConnection,
): Admission {
  const credential = handed ? undefined : readCredential(req, url);
  const decision = decideAdmission(
    {
      credential,
      token: handed?.token ?? ctx.book.token(credential),
      model: url.searchParams.get('model'),
      now: ctx.clock.now(),
      live: ctx.live.size + (ctx.liveElsewhere?.() ?? 0),
      keyState: (key) => ctx.book.keyState(key),
      health: ctx.load?.latest,
    },
    ctx.book.limits,
  );
  return { credential, decision };
}

/**
 * Takes one upgraded WebSocket: reports it, decides admission (refusing with an error event
 * and a close when it fails), and otherwise runs a {@link Session} on it. `admission` is
 * {@link admissionOf} when the caller decided before the upgrade.
 */
export function acceptConnection(
  ctx: ServerContext,
  ws: WebSocket,
  req: IncomingMessage,
  url: URL,
  handed?: HandedConnection,
  admission: Admission = admissionOf(ctx, req, url, handed),
): void {
  ws.on('error', () => {
    // ws closes the socket itself (1009 for oversized frames, 1002 for protocol errors);
    // the error must not reach the process.
  });
  const number = handed?.number ?? ctx.nextNumber();
  const id = `sess_${number.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
  const closer: Closer = { byServer: false };
  ctx.onConnection?.({ kind: 'opened', session: id, number, at: ctx.clock.now() });
  ws.once('close', (code, reason) =>
    ctx.onConnection?.({
      kind: 'closed',
      session: id,
      number,
      // A server close is dated when its close frame went out (the client may act on the
      // frame before the handshake completes); the completion is `handshakeAt`.
      at: closer.sentAt ?? ctx.clock.now(),
      handshakeAt: ctx.clock.now(),
      code,
      reason: reason.toString(),
      closedBy: closer.byServer ? 'server' : 'client',
      ...(closer.refused ? { refused: closer.refused } : {}),
    }),
  );
  const { decision } = admission;
  // A handed connection's credential stays with the primary: its key names it here.
  const credential = admission.credential ?? handed?.token.key;
  if ('refused' in decision) {
    if (decision.expiredToken && credential !== undefined) ctx.book.dropToken(credential);
    closer.byServer = true;
    closer.sentAt = ctx.clock.now();
    closer.refused = { key: redactKey(credential) };
    if (decision.shed !== undefined) {
      closer.refused.shed = decision.shed;
      ctx.load?.refused(decision.shed, ctx.live.size, ctx.clock.now());
    }
    refuse(ctx, ws, id, decision.refused, credential);
    return;
  }
  runSession(ctx, ws, { id, number, closer }, decision.admitted);
}

function refuse(
  ctx: ServerContext,
  ws: WebSocket,
  id: string,
  refusal: Refusal,
  credential: string | undefined,
): void {
  if (refusal.error) {
    const text = JSON.stringify(errorEvent(ctx.ids('event'), refusal.error));
    observe(ctx, { session: id, dir: 'out', at: ctx.clock.now(), text, type: 'error' });
    ws.send(text);
  }
  ws.close(refusal.code, refusal.reason);
  ctx.log?.note(id, ctx.clock.now(), 'refused', {
    code: refusal.code,
    reason: refusal.reason,
    key: redactKey(credential),
  });
}

function runSession(
  ctx: ServerContext,
  ws: WebSocket,
  conn: { id: string; number: number; closer: Closer },
  admitted: Admitted,
): void {
  const { id, number, closer } = conn;
  const { key, model, token } = admitted;
  const ks = ctx.book.keyState(key);
  ks.live += 1;
  const mode = ctx.mode ?? admitted.mode;
  const info: SessionInfo = {
    id,
    number,
    key,
    model,
    mode,
    openedAt: ctx.clock.now(),
    stats: undefined!,
  };
  const slowReader = () => {
    stage.close(CloseCode.POLICY_VIOLATION, 'send buffer full: the client reads too slowly');
    // A client that does not read will not read the close frame either.
    setTimeout(() => ws.terminate(), 1000).unref();
  };
  const buffered = new SendBufferWatch(ws, ctx.maxBufferedBytes, ctx.bufferGraceMs, slowReader);
  const pinger = keepAlive(ctx, ws, { session: id, number });
  const stage = new FaultStage(
    {
      write: (text, type) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > ctx.maxBufferedBytes) return slowReader();
        observe(ctx, { session: id, dir: 'out', at: ctx.clock.now(), text, type });
        ws.send(text);
        // One large write (an echoed session.updated, an error) to a client that then stops
        // reading must not sit in memory until the next write: watch it.
        buffered.afterWrite();
      },
      close: (code, reason) => {
        closer.byServer = true;
        closer.sentAt = ctx.clock.now();
        session.end();
        ws.close(code, reason);
      },
      terminate: () => {
        closer.byServer = true;
        closer.sentAt = ctx.clock.now();
        session.end();
        ws.terminate();
      },
      nextEventId: () => ctx.ids('event'),
      silence: () => pinger.silence(),
    },
    ctx.scheduler,
    number,
    ctx.random,
    ctx.speed,
  );
  const creditsMs = ctx.book.creditsMs;
  const session: Session = new Session({
    id,
    model,
    mode,
    script: ctx.fixture,
    scheduler: ctx.scheduler,
    out: stage,
    speed: ctx.speed,
    ...(ctx.vad ? { vad: ctx.vad } : {}),
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
    ids: ctx.ids,
    onInternalError: (error) => reportInternalError(ctx, id, error),
  });
  info.stats = session.stats;
  ctx.live.set(id, { info, session, stage, ws });
  ctx.infos.set(id, info);
  ctx.log?.note(id, ctx.clock.now(), 'connected', { key: redactKey(key), model, mode });

  handleSocket(ctx, ws, { info, session, ks, closer, buffered });
  watchIdle(ctx, ws, stage);

  for (const f of ctx.faults) stage.add(f, { connected: false });
  stage.onConnect();
  session.start();
}

/** The socket's frames go to the session; its close ends the session and reports it. */
function handleSocket(
  ctx: ServerContext,
  ws: WebSocket,
  run: {
    info: SessionInfo;
    session: Session;
    ks: KeyState;
    closer: Closer;
    buffered: SendBufferWatch;
  },
): void {
  const { info, session, ks, closer, buffered } = run;
  const { id } = info;
  ws.on('message', (data, isBinary) => {
    try {
      const at = ctx.clock.now();
      if (isBinary) {
        observe(ctx, {
          session: id,
          dir: 'in',
          at,
          text: '<binary>',
          type: undefined,
          binary: true,
        });
        session.receiveBinary();
        return;
      }
      // Decoded once, for the journal and the codec (latin1 for an all-ASCII frame).
      const frame = TextFrame.decode(data as Buffer);
      observe(ctx, { session: id, dir: 'in', at, text: frame.text, type: peekType(frame.text) });
      session.receiveText(frame);
    } catch (error) {
      // Last line of defence (a hook that throws, say): never let one frame kill the process.
      reportInternalError(ctx, id, error);
    }
  });
  ws.on('close', (code, reason) => {
    session.end();
    buffered.stop();
    ks.live -= 1;
    ctx.live.delete(id);
    ctx.infos.delete(id);
    const summary: SessionSummary = {
      ...info,
      durationMs: ctx.clock.now() - info.openedAt,
      closeCode: code,
      closeReason: reason.toString(),
      closedBy: closer.byServer ? 'server' : 'client',
    };
    ctx.log?.note(id, ctx.clock.now(), 'closed', {
      code,
      reason: summary.closeReason,
      by: summary.closedBy,
    });
    ctx.onSessionEnd?.(summary);
  });
}

/** Logs a frame and shows it to `onFrame`; a failure there never stops the frame itself. */
function observe(ctx: ServerContext, frame: WireFrame): void {
  try {
    ctx.log?.frame(frame);
    ctx.onFrame?.(frame);
  } catch (error) {
    reportInternalError(ctx, frame.session, error);
  }
}

/**
 * Watches the bytes a socket has not sent yet. The write path refuses to write more once they
 * exceed the limit; this also catches the last write: when, after a write, they stay over the
 * limit for `graceMs` (the client stopped reading), `cut` runs (1008, then terminate).
 */
export class SendBufferWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly limit: number,
    private readonly graceMs: number,
    private readonly cut: () => void,
  ) {}

  /** Called after every write. */
  afterWrite(): void {
    if (this.timer !== undefined || this.ws.bufferedAmount <= this.limit) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.ws.readyState !== this.ws.OPEN) return;
      if (this.ws.bufferedAmount > this.limit) this.cut();
    }, this.graceMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Closes an admitted session that sent nothing (no frame, no ping) for `idleTimeoutMs` of
 * real time (not the server's clock: a fake or fast clock must not cut a scenario short) with
 * 1000 `idle timeout`. One timer per session, re-armed only when it fires.
 */
function watchIdle(ctx: ServerContext, ws: WebSocket, stage: FaultStage): void {
  const limit = ctx.idleTimeoutMs;
  if (!(limit > 0) || !Number.isFinite(limit)) return;
  let last = performance.now();
  const seen = () => (last = performance.now());
  ws.on('message', seen);
  ws.on('ping', seen);
  ws.on('pong', seen);
  let timer: NodeJS.Timeout;
  const check = () => {
    if (ws.readyState !== ws.OPEN) return;
    const left = last + limit - performance.now();
    if (left > 0) {
      timer = setTimeout(check, left + 1).unref();
      return;
    }
    const seconds = Math.round(limit / 100) / 10;
    stage.close(CloseCode.NORMAL, `idle timeout: no message from the client for ${seconds} s`);
  };
  timer = setTimeout(check, limit).unref();
  ws.once('close', () => clearTimeout(timer));
}

/**
 * Pings an admitted client every `pingIntervalMs` of server clock and answers its pings (the
 * server has `autoPong` off for this), telling `onControl` of each ping and pong both ways.
 * `silence()` (a `blackhole` fault) stops both for good: the client sees a half-open peer.
 */
function keepAlive(
  ctx: ServerContext,
  ws: WebSocket,
  conn: { session: string; number: number },
): { silence(): void } {
  let silent = false;
  const report = (kind: ControlEvent['kind'], dir: ControlEvent['dir']) => {
    try {
      ctx.onControl?.({ ...conn, kind, dir, at: ctx.clock.now() });
    } catch (error) {
      reportInternalError(ctx, conn.session, error);
    }
  };
  ws.on('ping', (data) => {
    report('ping', 'in');
    if (silent || ws.readyState !== ws.OPEN) return;
    ws.pong(data);
    report('pong', 'out');
  });
  ws.on('pong', () => report('pong', 'in'));
  const interval = ctx.pingIntervalMs;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const tick = () => {
    timer = undefined;
    if (silent || ws.readyState !== ws.OPEN) return;
    ws.ping();
    report('ping', 'out');
    timer = ctx.clock.setTimeout(tick, interval);
  };
  if (interval > 0 && Number.isFinite(interval)) timer = ctx.clock.setTimeout(tick, interval);
  const stop = () => {
    if (timer !== undefined) ctx.clock.clearTimeout(timer);
    timer = undefined;
  };
  ws.once('close', stop);
  return {
    silence: () => {
      silent = true;
      stop();
    },
  };
}

function reportInternalError(ctx: ServerContext, session: string, error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  ctx.log?.note(session, ctx.clock.now(), 'internal_error', { message });
  process.stderr.write(`swaram-mock: ${session}: internal error (session goes on): ${message}\n`);
}

/** The `type` of a frame without a full parse (for logs); the session parses properly. */
function peekType(text: string): string | undefined {
  const m = /"type"\s*:\s*"([^"\\]{1,100})"/.exec(text.slice(0, 300));
  return m?.[1];
}
