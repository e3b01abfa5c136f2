import { fork, type ChildProcess } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import type { AdminDesk } from './admin-routes.js';
import { adminRoutes } from './admin-routes.js';
import type { Admitted, KeyBook } from './admission.js';
import type { HandedConnection } from './connection.js';
import { loadFixture } from '../protocol/fixture/load-fixture.js';
import { httpError, json, readBody, type HttpRoute } from './http-endpoints.js';
import type { JournalFrame, SessionRecord } from './journal.js';
import {
  startMockServer,
  type ConnectionEvent,
  type MockServer,
  type MockServerOptions,
} from './mock-server.js';
import { LatenessRecorder } from './scheduler.js';
import type { WorkerReport, WorkerStart, HandedMessage } from './cluster-worker.js';

/**
 * `swaram-mock --workers N`: one mock on several cores. The primary (this process) owns the
 * port and the whole admission — the HTTP routes, tokens, the key book (keys, capacity, live
 * connections per key) — with the same `startMockServer` as one process. An admitted
 * connection's socket is handed, before its WebSocket upgrade, to one of N worker processes
 * (mock-server/cluster-worker.ts), each a mock of its own that completes the upgrade and runs
 * the session. What only a worker can know is decided there, by the same `decideAdmission`:
 * its load (shedding: each worker is one event loop with its CPU budget) and credits (with
 * finite credits every session of a key goes to one worker, chosen by a hash of the key, so
 * that worker holds the key's whole account as one process does). A session counts live in
 * the primary until its worker says its socket closed. See docs/mock-server.md, "Workers".
 */
export interface ClusterOptions {
  /** Worker processes, 1 or more. */
  workers: number;
}

/** Options a cluster cannot honour, with why (each names `--workers`). */
const NOT_WITH_WORKERS: Array<[keyof MockServerOptions, string]> = [
  ['tls', 'a TLS session cannot be handed to another process: serve ws: with --workers'],
  ['log', 'each worker would write its own frames: leave out --log, or use --workers 1'],
  ['onFrame', 'frames stay in the workers: use GET /sessions/:id/frames, or --workers 1'],
  ['onControl', 'pings stay in the workers: use --workers 1'],
  ['clock', 'each worker runs on the real clock'],
  ['random', 'each worker has its own random source'],
];

/** A worker process as the primary keeps it. */
interface Worker {
  index: number;
  child: ChildProcess;
  /** Its own mock's port on 127.0.0.1 (the look-ins are forwarded to it). */
  port: number;
  /** Its `performance.timeOrigin`: its clock times are shifted onto the primary's. */
  timeOrigin: number;
  live: number;
  alive: boolean;
}

const WORKER_ENTRY = new URL(
  `./cluster-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
);

/**
 * Starts a primary and `cluster.workers` workers; resolves once all listen. The result is the
 * primary's {@link MockServer}: its `url`, `keys`, `fixture` and `close()` (which closes every
 * session in every worker with 1001, then the workers, then the port) work as one mock's;
 * `health()`, `sessions`, `frames()` and `waitFor()` see the primary only (refused
 * connections): use {@link healthOf} and the HTTP look-ins.
 */
export async function startMockCluster(
  options: MockServerOptions,
  cluster: ClusterOptions,
): Promise<MockServer> {
  for (const [name, why] of NOT_WITH_WORKERS) {
    if (options[name] !== undefined && options[name] !== false) {
      throw new Error(`${name} is not available with --workers ${cluster.workers}: ${why}`);
    }
  }
  if (typeof options.fixture === 'object') {
    throw new Error('with workers, name the fixture (a built-in name or a folder), not an object');
  }
  // Loaded here first, so that a bad fixture says so once, before any worker starts.
  const fixture = await loadFixture(options.fixture ?? 'greeting');
  const workers = await Promise.all(
    Array.from({ length: cluster.workers }, (_, i) => startWorker(i, options)),
  );
  const handed = new Map<number, { key: string; worker: Worker }>();
  let book: KeyBook | undefined;
  const ended = (number: number) => {
    const entry = handed.get(number);
    if (!entry) return;
    handed.delete(number);
    entry.worker.live -= 1;
    if (book) book.keyState(entry.key).live -= 1;
  };
  let closing = false;
  for (const w of workers) {
    w.child.on('message', (m: WorkerReport) => onReport(m, w, options, ended));
    w.child.once('exit', (code, signal) => {
      w.alive = false;
      const lost = [...handed].filter(([, e]) => e.worker === w).map(([n]) => n);
      for (const n of lost) ended(n);
      if (closing) return;
      process.stderr.write(
        `swaram-mock: worker ${w.index + 1} (pid ${w.child.pid}) exited (${signal ?? `code ${code}`}); ` +
          `its ${lost.length} session(s) are counted ended\n`,
      );
    });
  }
  const primary: MockServer = await startMockServer(
    // The workers shed load, each by its own health: the primary runs no session.
    { ...options, fixture, shedding: false },
    {
      liveElsewhere: () => handed.size,
      handOff: (conn, keyBook) => {
        book = keyBook;
        handOff(conn, keyBook, workers, handed);
      },
      routes: (own) => clusterRoutes(own, () => healthOf(primary), workers),
      beforeClose: async () => {
        closing = true;
        await Promise.all(workers.map(stopWorker));
      },
    },
  ).catch(async (error: unknown) => {
    closing = true;
    await Promise.all(workers.map(stopWorker));
    throw error;
  });
  clusters.set(primary, { workers, live: () => handed.size });
  return primary;
}

const clusters = new WeakMap<MockServer, { workers: Worker[]; live: () => number }>();

/**
 * `/health` of a cluster's primary: the primary's counts (live: counted by the primary until
 * the worker says the session ended; total: connection numbers given), pacing merged from
 * every worker's lateness recorder, memory per process, each worker's figures.
 */
async function clusterHealth(
  own: Record<string, unknown>,
  workers: readonly Worker[],
  liveInWorkers: number,
): Promise<Record<string, unknown>> {
  // A worker that exits while asked (a stop under way) leaves its figures out, not the answer.
  const settled = await Promise.allSettled(
    workers.filter((w) => w.alive).map((w) => ask<WorkerHealth>(w, { cmd: 'health' }, 'health')),
  );
  const reports = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const pacing = new LatenessRecorder();
  for (const r of reports) pacing.merge(r.lateness);
  type Memory = { rssBytes: number; heapUsedBytes: number };
  const processes: Array<Memory & { role: string; pid: number }> = [
    { role: 'primary', pid: process.pid, ...(own.memory as Memory) },
    ...reports.map((r) => ({ role: 'worker', pid: r.pid, ...(r.health.memory as Memory) })),
  ];
  const sum = (f: (p: Memory) => number) => processes.reduce((a, p) => a + f(p), 0);
  const shedding = reports.some((r) => r.health.status === 'shedding');
  return {
    ...own,
    status: shedding ? 'shedding' : 'ok',
    liveSessions: (own.liveSessions as number) + liveInWorkers,
    pacing: pacing.stats(),
    load: { shedding: reports.some((r) => (r.health.load as { shedding: boolean }).shedding) },
    memory: { rssBytes: sum((p) => p.rssBytes), heapUsedBytes: sum((p) => p.heapUsedBytes) },
    processes,
    workers: reports.map((r) => ({
      pid: r.pid,
      liveSessions: r.health.liveSessions,
      pacing: r.health.pacing,
      load: r.health.load,
      memory: r.health.memory,
      cpuMicros: r.cpuMicros,
    })),
  };
}

/** What a worker answers to `health`. */
export interface WorkerHealth {
  pid: number;
  health: Record<string, unknown>;
  lateness: ReturnType<LatenessRecorder['entries']>;
  /** CPU time (user + system) the worker used since it started, µs. */
  cpuMicros: number;
}

/** The primary's health and every worker's, as {@link clusterHealth} merges them. */
export function healthOf(server: MockServer): Promise<Record<string, unknown>> {
  const cluster = clusters.get(server);
  if (!cluster) return Promise.resolve(server.health());
  return clusterHealth(server.health(), cluster.workers, cluster.live());
}

async function startWorker(index: number, options: MockServerOptions): Promise<Worker> {
  const ts = WORKER_ENTRY.pathname.endsWith('.ts');
  const child = fork(fileURLToPath(WORKER_ENTRY), [], {
    execArgv: ts ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // A failed send or kill must never take the primary down; the exit handler reports a death.
  child.on('error', () => undefined);
  const start: WorkerStart = {
    cmd: 'start',
    options: workerOptions(options),
    report: {
      sessionEnd: options.onSessionEnd !== undefined,
      connection: options.onConnection !== undefined,
      shedding: options.onShedding !== undefined,
    },
  };
  child.send(start);
  const ready = await ask<{ port: number; timeOrigin: number }>(
    { child, alive: true } as Worker,
    undefined,
    'ready',
  );
  return { index, child, port: ready.port, timeOrigin: ready.timeOrigin, live: 0, alive: true };
}

/**
 * What a worker runs with: the options as data (functions stay in the primary, which gets the
 * workers' reports), its own port on loopback, and no limits of the primary's (capacity and
 * connections per key are the primary's to count).
 */
function workerOptions(options: MockServerOptions): MockServerOptions {
  const data = Object.fromEntries(
    Object.entries(options).filter(([, v]) => typeof v !== 'function'),
  ) as MockServerOptions;
  return {
    ...data,
    host: '127.0.0.1',
    port: 0,
    capacity: Infinity,
    maxConnectionsPerKey: Infinity,
  };
}

function onReport(
  m: WorkerReport,
  w: Worker,
  options: MockServerOptions,
  ended: (number: number) => void,
): void {
  const shift = w.timeOrigin - performance.timeOrigin;
  if (m.kind === 'ended') ended(m.number);
  else if (m.kind === 'summary') {
    options.onSessionEnd?.({ ...m.summary, openedAt: m.summary.openedAt + shift });
  } else if (m.kind === 'connection') options.onConnection?.(shiftEvent(m.event, shift));
  else if (m.kind === 'shedding') options.onShedding?.(m.change);
}

function shiftEvent(e: ConnectionEvent, shift: number): ConnectionEvent {
  if (e.kind === 'opened') return { ...e, at: e.at + shift };
  return {
    ...e,
    at: e.at + shift,
    ...(e.handshakeAt !== undefined ? { handshakeAt: e.handshakeAt + shift } : {}),
  };
}

/**
 * Hands an admitted connection's socket to a worker: with finite credits the key's own worker
 * (a hash of the key), else the one with the fewest live sessions. Counted live at once.
 */
function handOff(
  conn: { req: IncomingMessage; socket: Duplex; head: Buffer; admitted: Admitted; number: number },
  book: KeyBook,
  workers: readonly Worker[],
  handed: Map<number, { key: string; worker: Worker }>,
): void {
  const { req, socket, head, admitted, number } = conn;
  const alive = workers.filter((w) => w.alive);
  if (alive.length === 0) {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\nevery worker died\n');
    return;
  }
  const worker = Number.isFinite(book.creditsMs)
    ? alive[keyHash(admitted.key) % alive.length]!
    : alive.reduce((a, b) => (b.live < a.live ? b : a));
  handed.set(number, { key: admitted.key, worker });
  worker.live += 1;
  book.keyState(admitted.key).live += 1;
  const token: HandedConnection['token'] = {
    key: admitted.key,
    model: admitted.model,
    expiresAt: Infinity,
    locked: admitted.token?.locked ?? {},
  };
  const message: HandedMessage = {
    cmd: 'adopt',
    req: { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers },
    head: new Uint8Array(head),
    handed: { number, token },
  };
  // Not tracked by the listener (Node's way asks the child about the socket at close, which a
  // worker that has exited never answers): the socket object left here is destroyed once sent,
  // which also takes it off the listener's connection count.
  (socket as Duplex & { server: unknown }).server = null;
  worker.child.send(message, socket as never, (error) => {
    socket.destroy();
    if (!error) return;
    const entry = handed.get(number);
    if (entry) {
      handed.delete(number);
      worker.live -= 1;
      book.keyState(entry.key).live -= 1;
    }
  });
}

/** FNV-1a: a key's worker, the same for the life of the cluster (while its workers live). */
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Sends `message` (if any) and resolves with the worker's next `kind` report. */
function ask<T>(w: Worker, message: unknown, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { kind: string } & T) => {
      if (m.kind !== kind) return;
      w.child.off('message', onMessage);
      w.child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) => {
      w.child.off('message', onMessage);
      reject(new Error(`a worker exited (code ${code}) before it answered "${kind}"`));
    };
    if (message !== undefined && !w.child.connected) {
      reject(new Error(`worker ${w.index + 1} is gone; it cannot answer "${kind}"`));
      return;
    }
    w.child.on('message', onMessage);
    w.child.once('exit', onExit);
    // With a callback a failed send (the worker just exited: EPIPE) is an answer, not a crash.
    if (message !== undefined) {
      w.child.send(message as never, (error) => {
        if (!error) return;
        w.child.off('message', onMessage);
        w.child.off('exit', onExit);
        reject(error);
      });
    }
  });
}

/** Asks a worker to close its sessions (1001) and exit; kills it after 5 s. */
async function stopWorker(w: Worker): Promise<void> {
  if (!w.alive || w.child.exitCode !== null) return;
  // Both: the listener's close asks a connected child about the sockets it was sent.
  const exited = Promise.all([
    new Promise((resolve) => w.child.once('exit', resolve)),
    new Promise((resolve) =>
      w.child.connected ? w.child.once('disconnect', resolve) : resolve(0),
    ),
  ]);
  if (w.child.connected) w.child.send({ cmd: 'close' }, () => undefined);
  const timer = setTimeout(() => w.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * The look-ins of a cluster: `/health` merged; `GET /sessions` every worker's and the
 * primary's (its refused connections), by connection number; a session's frames or faults
 * from the worker that has it; `POST /faults` and `POST /reset` to every worker. Each is
 * forwarded with its headers to the workers' own mocks, so auth and checks are theirs.
 */
function clusterRoutes(
  own: AdminDesk,
  health: () => Promise<Record<string, unknown>>,
  workers: readonly Worker[],
): HttpRoute[] {
  const ownRoutes = adminRoutes(own);
  const answerOwn = (req: IncomingMessage, res: ServerResponse, url: URL) =>
    ownRoutes
      .find((r) => r.method === req.method && (r.pattern?.test(url.pathname) ?? false))!
      .handle(req, res, url);
  return [
    {
      paths: ['/health', '/healthz'],
      method: 'GET',
      handle: async (_req, res) => json(res, 200, await health()),
    },
    {
      paths: ['/sessions'],
      method: 'GET',
      handle: async (req, res, url) => {
        const answers = await forward(workers, req, url, '');
        const bad = answers.find((a) => a.status !== 200);
        if (bad) return json(res, bad.status, bad.body);
        const sessions = answers
          .flatMap((a) => (a.body as { sessions: SessionRecord[] }).sessions.map(shiftRecord(a)))
          .concat(own.listSessions())
          .sort((a, b) => a.number - b.number);
        json(res, 200, { sessions });
      },
    },
    {
      paths: ['/sessions/:id/frames'],
      pattern: /^\/sessions\/([^/]+)\/frames$/,
      method: 'GET',
      handle: async (req, res, url) => {
        const answers = await forward(workers, req, url, '');
        const found = answers.find((a) => a.status === 200);
        if (found) {
          const body = found.body as { session: string; frames: JournalFrame[] };
          const frames = body.frames.map((f) => ({ ...f, at: f.at + found.shift }));
          return json(res, 200, { ...body, frames });
        }
        return answerOwn(req, res, url);
      },
    },
    ...(['/sessions/:id/faults', '/faults', '/reset'] as const).map((path): HttpRoute => ({
      paths: [path],
      ...(path === '/sessions/:id/faults' ? { pattern: /^\/sessions\/([^/]+)\/faults$/ } : {}),
      method: 'POST',
      handle: async (req, res, url) => {
        const body = await readBody(req, 64 * 1024);
        const answers = await forward(workers, req, url, body);
        if (path === '/reset' && answers.every((a) => a.status === 200)) own.reset();
        const chosen = answers.find((a) => a.status === 201) ?? answers[0];
        if (!chosen) return json(res, 503, httpError('no_worker', 'every worker died'));
        json(res, chosen.status, chosen.body);
      },
    })),
  ];
}

/** A worker's answer to a forwarded look-in, and its clock's shift onto the primary's. */
interface Answer {
  status: number;
  body: unknown;
  shift: number;
}

function forward(
  workers: readonly Worker[],
  req: IncomingMessage,
  url: URL,
  body: string,
): Promise<Answer[]> {
  const headers: Record<string, string> = {};
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  if (body) headers['content-type'] = 'application/json';
  return Promise.all(
    workers
      .filter((w) => w.alive)
      .map(async (w) => {
        const r = await fetch(`http://127.0.0.1:${w.port}${url.pathname}${url.search}`, {
          method: req.method ?? 'GET',
          headers,
          ...(req.method === 'POST' ? { body } : {}),
        });
        return {
          status: r.status,
          body: (await r.json()) as unknown,
          shift: w.timeOrigin - performance.timeOrigin,
        };
      }),
  );
}

function shiftRecord(a: Answer) {
  return (s: SessionRecord): SessionRecord => ({
    ...s,
    openedAt: s.openedAt + a.shift,
    ...(s.closedAt !== undefined ? { closedAt: s.closedAt + a.shift } : {}),
  });
}
