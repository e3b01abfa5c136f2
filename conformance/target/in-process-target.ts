import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type WebSocket from 'ws';
import { realClock, type Clock } from '../../mock-server/clock.js';
import type { TargetSpec } from './resolve-target.js';

/** What an in-process adapter gets instead of a process's stdio. */
export interface InProcessIo {
  /** Commands from the runner, one JSON line each (the adapter's stdin). */
  readonly input: NodeJS.ReadableStream;
  /** Hello, replies and observations, one JSON line each (the adapter's stdout). */
  readonly output: NodeJS.WritableStream;
  /** A log line (the adapter's stderr). */
  log(line: string): void;
  /** The adapter is done (the process would exit with `code`). */
  exit(code: number): void;
  /** The run's clock: the client's timers must use it, so a fake clock drives them too. */
  readonly clock: Clock;
  /** Pass every WebSocket the client opens through this, so the run knows what is in flight. */
  watch(socket: WebSocket): WebSocket;
}

/** A client run inside the runner's process, speaking swaram-adapter/1 over in-memory pipes. */
export interface InProcessSpec extends TargetSpec {
  /** Starts the adapter on `io`; it must say hello on `io.output`. */
  readonly launch: (io: InProcessIo) => void;
  /** Counts the client's socket traffic (filled by `io.watch`). */
  readonly meter: SocketMeter;
}

/** Whether a spec runs in process. */
export function isInProcess(spec: TargetSpec): spec is InProcessSpec {
  return typeof (spec as Partial<InProcessSpec>).launch === 'function';
}

/**
 * A target that runs in the runner's process: `launch` gets in-memory stdio and the run's
 * clock. With a FakeClock the whole run (mock, runner, client) steps on one fake timeline.
 * A spec is used by one run at a time (its {@link SocketMeter} counts that run's sockets).
 *
 * @example
 * const spec = inProcessTarget('reference', (io) =>
 *   new AdapterHost({ client, input: io.input, output: io.output, log: io.log,
 *     exit: io.exit, clock: io.clock }).start());
 * await runScenario(scenario, { spec, clock: new FakeClock() });
 */
export function inProcessTarget(name: string, launch: (io: InProcessIo) => void): InProcessSpec {
  return {
    name,
    mode: 'adapter',
    command: `(in process) ${name}`,
    args: [],
    cwd: process.cwd(),
    env: {},
    source: 'command',
    launch,
    meter: new SocketMeter(),
  };
}

/**
 * Counts what the client's sockets sent, received and still wait for, so a run on a fake
 * clock can tell "idle" from "a frame is on the loopback".
 */
export class SocketMeter {
  sent = 0;
  received = 0;
  private readonly sockets = new Set<WebSocket>();
  private pings = 0;
  private pongs = 0;
  private events = 0;

  /** Anything that happened on any socket (an activity counter). */
  get activity(): number {
    return this.events;
  }

  /** Sockets whose handshake or close is under way. */
  get pending(): number {
    let n = this.pings - this.pongs;
    for (const s of this.sockets) if (s.readyState === 0 || s.readyState === 2) n += 1;
    return n;
  }

  /** Sockets open now. */
  get open(): number {
    let n = 0;
    for (const s of this.sockets) if (s.readyState === 1) n += 1;
    return n;
  }

  /** Forgets pings whose pong will not come. */
  forgetPings(): void {
    this.pongs = this.pings;
  }

  watch(socket: WebSocket): WebSocket {
    this.sockets.add(socket);
    const bump = () => (this.events += 1);
    socket.on('open', bump);
    socket.on('message', () => {
      this.received += 1;
      bump();
    });
    socket.on('pong', () => {
      this.pongs += 1;
      bump();
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      bump();
    });
    socket.on('error', bump);
    const send = socket.send.bind(socket) as (...args: unknown[]) => void;
    (socket as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
      if (socket.readyState === 1) this.sent += 1;
      bump();
      send(...args);
    };
    const ping = socket.ping.bind(socket) as (...args: unknown[]) => void;
    (socket as { ping: (...args: unknown[]) => void }).ping = (...args: unknown[]) => {
      if (socket.readyState === 1) this.pings += 1;
      bump();
      ping(...args);
    };
    return socket;
  }
}

/**
 * Starts an in-process adapter behind an object shaped like the child process `Target`
 * expects (stdio pipes, `spawn` and `exit` events, no pid), so the rest of `Target` — the
 * handshake, replies, findings — is the same code for both.
 */
export function launchInProcess(spec: InProcessSpec, clock: Clock = realClock): ChildProcess {
  const child = new EventEmitter() as EventEmitter & {
    stdin: PassThrough;
    stdout: PassThrough;
    stderr: PassThrough;
    pid: undefined;
    kill: () => boolean;
  };
  child.stdin = new PassThrough();
  child.stdout = new PassThrough();
  child.stderr = new PassThrough();
  child.pid = undefined;
  child.kill = () => false;
  let exited = false;
  const io: InProcessIo = {
    input: child.stdin,
    output: child.stdout,
    log: (line) => child.stderr.write(`${line}\n`),
    exit: (code) => {
      if (exited) return;
      exited = true;
      child.stdout.end();
      child.stderr.end();
      setImmediate(() => child.emit('exit', code, null));
    },
    clock,
    watch: (socket) => spec.meter.watch(socket),
  };
  setImmediate(() => {
    child.emit('spawn');
    try {
      spec.launch(io);
    } catch (error) {
      io.log(`launch failed: ${(error as Error).stack ?? String(error)}`);
      io.exit(1);
    }
  });
  // Only the fields Target reads exist; the cast keeps Target's one code path.
  return child as unknown as ChildProcess;
}
