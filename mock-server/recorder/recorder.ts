import { createServer, type IncomingMessage, type Server } from 'node:http';
import { listen } from '../listen.js';
import { readdir } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import {
  writeRecordedFixture,
  type RecordedFixture,
  type RecordedViolation,
} from './fixture-writer.js';
import { RecordedSession, type FrameSource } from './recorded-session.js';
import { RecorderError, RecorderErrorCode } from './recorder-error.js';

export type { RecordedFixture, RecordedViolation } from './fixture-writer.js';
export { RecorderError, RecorderErrorCode } from './recorder-error.js';

/** Options of {@link startRecorder}. */
export interface RecorderOptions {
  /**
   * The real server: `wss://host/v1/realtime` (or `ws://`). When its path is `/`, the client's
   * path is used. The client's query (`model`, `api_key`, …) is added to the upstream's.
   */
  upstream: string;
  /** The fixture folder to write; its last part is the fixture name. */
  out: string;
  /** Default 0: any free port (read it from `recorder.port`). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /**
   * A key for the upstream, sent as `Authorization: Bearer`; the client's own credentials are
   * then not passed on (it needs none). Default: pass the client's credentials on, the same
   * way it sent them. Never written anywhere either way.
   */
  key?: string;
  /** Replace a previous recording in `out` (only the files a recording writes). Default false. */
  overwrite?: boolean;
  /** Called for every frame, in either direction, that the codec (strict) finds fault with. */
  onViolation?: (violation: RecordedViolation) => void;
  /** Called with one sentence when something worth knowing happens (refusals, extra clients). */
  onNotice?: (message: string) => void;
}

/** A running recorder: a transparent WebSocket proxy that writes a fixture. */
export interface Recorder {
  /** Where clients connect: `ws://127.0.0.1:PORT/v1/realtime` (add `?model=…`). */
  readonly url: string;
  readonly port: number;
  /**
   * Settles once the recorded session ended (either side closed) and its folder is written:
   * the fixture, or a {@link RecorderError}.
   */
  readonly recorded: Promise<RecordedFixture>;
  /**
   * Ends the recorded session if it is still open (both sides get 1001), writes the fixture
   * and stops listening.
   *
   * @throws RecorderError `nothing_recorded` when no client ever connected.
   */
  close(): Promise<RecordedFixture>;
}

const REALTIME_PATH = '/v1/realtime';
const INSECURE_KEY_PREFIX = 'openai-insecure-api-key.';
/** Request headers passed to the upstream besides the credentials. */
const FORWARDED_HEADERS = ['openai-beta', 'user-agent'] as const;
const MAX_PAYLOAD = 64 * 1024 * 1024;
/** How long a closing handshake may take before the socket is cut. */
const CLOSE_GRACE_MS = 2000;
/** What credentials are replaced with in anything the recorder writes or prints. */
const REDACTED = '[credential removed]';

/**
 * Starts a recorder: a transparent WebSocket proxy between a client and a real
 * swaram-compatible server that records one session and writes it as a fixture folder.
 *
 * The first client connection is opened upstream with the client's credentials passed on the
 * same way (Bearer header, `?api_key=` or the `openai-insecure-api-key.` subprotocol) and
 * every frame is relayed both ways unchanged, close codes and reasons included. Each frame is
 * checked with the codec's strict schemas; findings go to `onViolation` and `violations.json`
 * and never block a frame. When the session ends the folder is written and validated.
 * Later connections are relayed too, but not recorded. See docs/fixtures.md, "Recording a
 * fixture".
 *
 * @example
 * const recorder = await startRecorder({ upstream: 'wss://api.example/v1/realtime', out: 'fixtures/my-call' });
 * // point the client at `${recorder.url}?model=mal-realtime-simple`, talk, hang up…
 * const fixture = await recorder.recorded;
 * console.log(`wrote ${fixture.turns} turn(s) to ${fixture.dir}`);
 * await recorder.close();
 */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const upstream = parseUpstream(options.upstream);
  const out = resolve(options.out);
  await checkOut(out, options.overwrite ?? false);
  const hub = new RecorderHub(options, upstream, out);
  const http = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`swaram-mock record relays WebSocket connections to ${hub.upstreamLabel} only\n`);
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    relayConnection(hub, req, socket, head),
  );
  const address = await listen(http, options.port, options.host);
  return {
    url: `ws://${address.hostForUrl}:${address.port}${REALTIME_PATH}`,
    port: address.port,
    recorded: hub.recorded,
    close: () => hub.close(http),
  };
}

/** The fixture folder must have a fixture's name, and be empty unless overwriting. */
async function checkOut(out: string, overwrite: boolean): Promise<void> {
  const name = basename(out);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new RecorderError(
      RecorderErrorCode.InvalidOut,
      `the fixture folder's name "${name}" is not a valid fixture name: use letters, digits, ".", "_" ` +
        'and "-", starting with a letter or digit (e.g. --out fixtures/my-call)',
    );
  }
  if (!overwrite) {
    const existing = await readdir(out).catch(() => [] as string[]);
    if (existing.length > 0) {
      throw new RecorderError(
        RecorderErrorCode.OutNotEmpty,
        `${out} exists and is not empty: pick a new folder, or overwrite a previous recording ` +
          '(--force / overwrite: true)',
      );
    }
  }
}

/**
 * What the recorder shares across connections: the one recording, the open sockets, the
 * WebSocket server that completes client handshakes, and the promise of the written fixture.
 */
class RecorderHub {
  readonly name: string;
  readonly upstreamLabel: string;
  /** Credentials in the upstream URL itself, and the recorder's own key, are secrets too. */
  readonly baseSecrets: string[];
  readonly sockets = new Set<WebSocket>();
  readonly chosenProtocol = new WeakMap<IncomingMessage, string>();
  readonly wss: WebSocketServer;
  readonly recorded: Promise<RecordedFixture>;
  recording: ActiveRecording | undefined;
  connections = 0;
  private readonly finished = new WeakSet<ActiveRecording>();
  private settle!: { resolve: (f: RecordedFixture) => void; reject: (e: unknown) => void };

  constructor(
    readonly options: RecorderOptions,
    readonly upstream: URL,
    readonly out: string,
  ) {
    this.name = basename(out);
    this.upstreamLabel = `${upstream.protocol}//${upstream.host}${upstream.pathname}`;
    this.baseSecrets = [
      upstream.password,
      upstream.username,
      upstream.searchParams.get('api_key') ?? '',
      options.key ?? '',
    ];
    this.recorded = new Promise<RecordedFixture>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.recorded.catch(() => {
      // Callers may use close() only; the rejection is theirs to see there.
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_PAYLOAD,
      // Answer the client with the subprotocol the upstream chose.
      handleProtocols: (protocols, req) => {
        const chosen = this.chosenProtocol.get(req);
        return chosen !== undefined && protocols.has(chosen) ? chosen : false;
      },
    });
  }

  notice(message: string): void {
    this.options.onNotice?.(message);
  }

  /** Writes the fixture of a recording that ended. */
  finish(active: ActiveRecording): void {
    if (this.finished.has(active)) return;
    this.finished.add(active);
    writeRecordedFixture(this.out, active.session, {
      name: this.name,
      upstream: this.upstreamLabel,
      recordedAt: new Date(),
    }).then(this.settle.resolve, this.settle.reject);
  }

  /** The upstream refused the recorded connection: the next one gets recorded instead. */
  fail(active: ActiveRecording, why: string): void {
    if (this.finished.has(active)) return;
    this.finished.add(active);
    if (this.recording === active) this.recording = undefined;
    this.notice(`the upstream did not accept the connection (${why}); recording the next one`);
  }

  async close(http: Server): Promise<RecordedFixture> {
    const active = this.recording;
    if (active && !this.finished.has(active) && !active.session.close && active.client) {
      active.session.close = {
        atMs: performance.now() - active.startedAt,
        by: 'recorder',
        code: 1001,
        reason: 'the recorder is closing',
      };
    }
    for (const ws of this.sockets) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'the recorder is closing');
    }
    await Promise.race([waitUntilEmpty(this.sockets), delay(CLOSE_GRACE_MS)]);
    for (const ws of this.sockets) ws.terminate();
    const closing = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections();
    this.wss.close();
    await closing;
    if (!active) {
      throw new RecorderError(
        RecorderErrorCode.NothingRecorded,
        'no client connected through the recorder, so nothing was recorded',
      );
    }
    if (!this.finished.has(active)) this.finish(active);
    return this.recorded;
  }
}

/** What the upstream connection is opened with: URL, subprotocols and headers. */
function upstreamRequest(
  hub: RecorderHub,
  req: IncomingMessage,
  clientUrl: URL,
): { target: URL; protocols: string[]; headers: Record<string, string> } {
  const key = hub.options.key;
  const target = new URL(hub.upstream);
  if (target.pathname === '/' || target.pathname === '') target.pathname = clientUrl.pathname;
  for (const [k, v] of clientUrl.searchParams) {
    if (key !== undefined && k === 'api_key') continue;
    target.searchParams.set(k, v);
  }
  let protocols = parseProtocols(req.headers['sec-websocket-protocol']);
  const headers: Record<string, string> = {};
  if (key !== undefined) {
    headers.authorization = `Bearer ${key}`;
    protocols = protocols.filter((p) => !p.startsWith(INSECURE_KEY_PREFIX));
  } else if (typeof req.headers.authorization === 'string') {
    headers.authorization = req.headers.authorization;
  }
  for (const h of FORWARDED_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  return { target, protocols, headers };
}

/** One client connection: opens the upstream, then relays (and maybe records) both ways. */
function relayConnection(hub: RecorderHub, req: IncomingMessage, socket: Duplex, head: Buffer) {
  socket.on('error', () => socket.destroy());
  const number = ++hub.connections;
  const startedAt = performance.now();
  const clientUrl = new URL(req.url ?? '/', 'http://recorder');
  const scrub = scrubber([...hub.baseSecrets, ...readCredentials(req, clientUrl)]);
  const { target, protocols, headers } = upstreamRequest(hub, req, clientUrl);
  let up: WebSocket;
  try {
    up = new WebSocket(target, protocols, {
      headers,
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD,
      handshakeTimeout: 15_000,
      ...(typeof req.headers.origin === 'string' ? { origin: req.headers.origin } : {}),
    });
  } catch (error) {
    refuse(socket, 400, scrub(`cannot open the upstream: ${(error as Error).message}`));
    return;
  }
  hub.sockets.add(up);
  const record =
    hub.recording === undefined
      ? new RecordedSession(clientUrl.searchParams.get('model') ?? undefined, scrub)
      : undefined;
  const active: ActiveRecording | undefined = record
    ? { session: record, startedAt, client: undefined }
    : undefined;
  if (active) hub.recording = active;
  else
    hub.notice(`connection #${number} is relayed but not recorded (a recording holds one session)`);
  new Relay(hub, { req, socket, head, up, number, startedAt, scrub, record, active }).start();
}

interface RelayParts {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  up: WebSocket;
  number: number;
  startedAt: number;
  scrub: (text: string) => string;
  record: RecordedSession | undefined;
  active: ActiveRecording | undefined;
}

/** The relay of one connection once its upstream socket exists. */
class Relay {
  /** Upstream frames that arrive before the client's handshake completes wait here. */
  private readonly early: Array<(client: WebSocket) => void> = [];
  private client: WebSocket | undefined;
  private opened = false;
  private refused = false;
  private upClosed = false;
  private clientClosed = false;

  constructor(
    private readonly hub: RecorderHub,
    private readonly p: RelayParts,
  ) {}

  start(): void {
    const { up, scrub, number } = this.p;
    const label = this.hub.upstreamLabel;
    up.on('error', (error) => {
      if (this.opened) return; // the close event follows
      this.hub.notice(scrub(`the upstream refused connection #${number}: ${error.message}`));
      this.refuseClient(502, scrub(`the upstream ${label} cannot be reached: ${error.message}`));
    });
    up.on('unexpected-response', (request, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = scrub(Buffer.concat(chunks).toString('utf8').slice(0, 4096));
        this.hub.notice(`the upstream answered connection #${number} with HTTP ${res.statusCode}`);
        this.refuseClient(res.statusCode ?? 502, body, res.headers['content-type']);
        request.destroy();
      });
    });
    up.on('message', (data: RawData, isBinary: boolean) => {
      const buffer = toBuffer(data);
      this.observe('server', buffer, isBinary);
      this.toClient((c) => c.send(buffer, { binary: isBinary }));
    });
    up.on('close', (code, reason) => {
      this.hub.sockets.delete(up);
      if (!this.opened) return;
      this.upClosed = true;
      this.noteClose('server', code, reason);
      this.toClient((c) => closeLike(c, code, reason));
      this.settled();
    });
    up.on('open', () => this.upstreamOpened());
  }

  private upstreamOpened(): void {
    const { up, req, socket, head } = this.p;
    this.opened = true;
    if (up.protocol) this.hub.chosenProtocol.set(req, up.protocol);
    if (socket.destroyed) {
      up.terminate();
      return;
    }
    // A client handshake that ws refuses (400) never reaches the callback below.
    socket.once('close', () => {
      if (this.client === undefined) up.close(1001, 'the client went away');
    });
    this.hub.wss.handleUpgrade(req, socket, head, (ws) => this.clientOpened(ws));
  }

  private clientOpened(ws: WebSocket): void {
    const { up } = this.p;
    this.client = ws;
    this.hub.sockets.add(ws);
    if (this.p.active) this.p.active.client = ws;
    ws.on('error', () => {
      // ws closes the socket itself; the close event follows.
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buffer = toBuffer(data);
      this.observe('client', buffer, isBinary);
      if (up.readyState === WebSocket.OPEN) up.send(buffer, { binary: isBinary });
    });
    ws.on('close', (code, reason) => {
      this.hub.sockets.delete(ws);
      this.clientClosed = true;
      this.noteClose('client', code, reason);
      closeLike(up, code, reason);
      this.settled();
    });
    for (const send of this.early.splice(0)) send(ws);
  }

  /** Sends to the client now, or once its handshake completed. */
  private toClient(send: (client: WebSocket) => void): void {
    if (this.client) send(this.client);
    else this.early.push(send);
  }

  private noteClose(by: 'server' | 'client', code: number, reason: Buffer): void {
    const { record, startedAt, scrub } = this.p;
    if (record && !record.close) {
      const why = scrub(reason.toString());
      record.close = { atMs: performance.now() - startedAt, by, code, reason: why };
    }
  }

  private settled(): void {
    const { active } = this.p;
    if (active && this.upClosed && (this.clientClosed || this.client === undefined))
      this.hub.finish(active);
  }

  private observe(from: FrameSource, data: Buffer, isBinary: boolean): void {
    const { record, startedAt } = this.p;
    if (!record) return;
    const frame = record.capture(from, performance.now() - startedAt, data, isBinary);
    if (frame.violations.length > 0) {
      this.hub.options.onViolation?.({
        atMs: Math.round(frame.atMs * 10) / 10,
        from,
        type: frame.type,
        violations: frame.violations,
      });
    }
  }

  private refuseClient(status: number, body: string, contentType?: string): void {
    if (this.refused) return;
    this.refused = true;
    this.hub.sockets.delete(this.p.up);
    refuse(this.p.socket, status, body, contentType);
    if (this.p.active) this.hub.fail(this.p.active, `HTTP ${status}`);
  }
}

interface ActiveRecording {
  readonly session: RecordedSession;
  /** performance.now() when the client's connection reached the recorder. */
  readonly startedAt: number;
  client: WebSocket | undefined;
}

function parseUpstream(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RecorderError(
      RecorderErrorCode.InvalidUpstream,
      `--upstream ${JSON.stringify(text)} is not a URL: give the server's WebSocket URL, e.g. wss://host/v1/realtime`,
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new RecorderError(
      RecorderErrorCode.InvalidUpstream,
      `--upstream must be a ws:// or wss:// URL, got ${url.protocol}// (e.g. wss://host/v1/realtime)`,
    );
  }
  return url;
}

/** Every credential a client may have sent, in swaram's three places. */
function readCredentials(req: IncomingMessage, url: URL): string[] {
  const found: string[] = [];
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    found.push(auth);
    const bearer = /^\s*bearer\s+(.+?)\s*$/i.exec(auth);
    if (bearer?.[1]) found.push(bearer[1]);
  }
  for (const key of url.searchParams.getAll('api_key')) found.push(key);
  for (const p of parseProtocols(req.headers['sec-websocket-protocol'])) {
    if (p.startsWith(INSECURE_KEY_PREFIX)) found.push(p.slice(INSECURE_KEY_PREFIX.length));
  }
  return found;
}

function parseProtocols(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Replaces every secret (longest first) in a text; secrets under 4 characters are ignored. */
function scrubber(secrets: readonly string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let out = text;
    for (const s of list) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  };
}

/** Closes `ws` the way its peer closed: same code and reason where the protocol allows. */
function closeLike(ws: WebSocket, code: number, reason: Buffer): void {
  if (ws.readyState === WebSocket.CLOSED) return;
  if (code === 1006 || ws.readyState === WebSocket.CONNECTING) {
    ws.terminate();
    return;
  }
  if (ws.readyState !== WebSocket.OPEN) return;
  if (code === 1005 || !isSendableCode(code)) ws.close();
  else ws.close(code, reason);
}

/** Codes a close frame may carry (RFC 6455 §7.4). */
function isSendableCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

function refuse(socket: Duplex, status: number, body: string, contentType?: string): void {
  if (socket.destroyed) return;
  const text = body.endsWith('\n') || body.length === 0 ? body : `${body}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${status === 502 ? 'Bad Gateway' : 'Upstream Refused'}\r\n` +
      `Content-Type: ${contentType ?? 'text/plain'}\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function waitUntilEmpty(set: Set<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (set.size === 0 ? resolve() : setTimeout(check, 10).unref());
    check();
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
