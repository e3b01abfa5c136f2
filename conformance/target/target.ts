import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  ADAPTER_PROTOCOL,
  parseAdapterLine,
  validateCommand,
  type AdapterCommand,
  type AdapterFeature,
  type CommandInput,
  type Hello,
  type Observation,
  type ParsedLine,
  type Reply,
  type ValidationIssue,
} from './adapter-protocol.js';
import { LineSplitter, MAX_LINE_BYTES, encodeJsonLine } from './json-lines.js';
import { LogRing, type LogLine, type LogRingOptions } from './log-ring.js';
import type { TargetSpec } from './resolve-target.js';
import type { Clock } from '../../mock-server/clock.js';
import { isInProcess, launchInProcess } from './in-process-target.js';
import { TargetError, TargetErrorCode } from './target-error.js';
import { TARGET_LIMITS, jsonDepth } from './limits.js';
import { targetEnv } from './target-env.js';

/** Options of {@link Target}. Every timeout is in milliseconds of real time. */
export interface TargetOptions {
  /**
   * The runner's monotonic clock (ms). Every line from the target is stamped with it on
   * arrival, so pass the clock the mock server uses. Default `performance.now()`.
   */
  readonly now?: () => number;
  /** How long the adapter has to say `hello`. Default 10 000. */
  readonly handshakeTimeoutMs?: number;
  /** How long {@link Target.request} waits for a reply. Default 5 000. */
  readonly requestTimeoutMs?: number;
  /** How long {@link Target.stop} waits for an exit after `shutdown`. Default 2 000. */
  readonly shutdownTimeoutMs?: number;
  /** How long {@link Target.stop} waits after `SIGTERM` before `SIGKILL`. Default 2 000. */
  readonly termTimeoutMs?: number;
  /** Size of the stderr ring buffer. Default 1 000 lines of up to 4 000 characters. */
  readonly log?: LogRingOptions;
  /** Extra environment variables for the process (after the spec's own). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Names of the runner's environment variables to pass on besides the allow-list
   * ({@link PASSED_ENV}); the rest of the runner's environment never reaches the target.
   */
  readonly passEnv?: readonly string[];
  /** Where a target's environment comes from. Default `process.env`. */
  readonly sourceEnv?: NodeJS.ProcessEnv;
  /**
   * For a wire-only target: where to connect. Passed as `SWARAM_URL`, `SWARAM_API_KEY` and
   * `SWARAM_MODEL` (default `mal-realtime-simple`). Required when the spec's mode is `wire`.
   */
  readonly wire?: { readonly url: string; readonly apiKey: string; readonly model?: string };
  /** Longest accepted line from the adapter. Default 16 MiB. */
  readonly maxLineBytes?: number;
  /** The clock an in-process target's client runs on (see `inProcessTarget`). Default real. */
  readonly clock?: Clock;
}

/** An observation with the runner's arrival time. */
export interface TimedObservation {
  /** Arrival time on the runner's clock (ms). */
  readonly at: number;
  /** Position among all lines received from this target (0-based), to keep order exact. */
  readonly seq: number;
  readonly observation: Observation;
}

/** A reply with the runner's arrival time. */
export interface TimedReply {
  readonly at: number;
  readonly seq: number;
  readonly reply: Reply;
}

/** What kind of harness finding (a problem of the adapter or the runner, not of the client). */
export type HarnessFindingCode =
  | 'invalid-json'
  | 'missing-type'
  | 'unknown-type'
  | 'invalid-message'
  | 'line-too-long'
  | 'hello-again'
  | 'unexpected-reply'
  | 'late-reply'
  | 'request-timeout'
  | 'command-rejected'
  | 'exited'
  | 'too-deep'
  | 'flood'
  | 'limit';

/**
 * A problem with the adapter channel, recorded as data (never thrown): a line that is not
 * valid `swaram-adapter/1`, a reply nobody waits for, a command the adapter refused, an exit.
 */
export interface HarnessFinding {
  readonly at: number;
  readonly code: HarnessFindingCode;
  /** One sentence: what was wrong. */
  readonly message: string;
  /** The offending line, cut to 500 characters. */
  readonly line?: string;
  /** Schema problems, for invalid messages. */
  readonly issues?: readonly ValidationIssue[];
}

/** How the target process ended. */
export interface TargetExit {
  readonly at: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /**
   * `self`: it exited on its own (or crashed); `shutdown`: after the `shutdown` command or
   * end of stdin; `sigterm` / `sigkill`: it had to be signalled; `never-started`: `stop()`
   * before `start()`.
   */
  readonly how: 'self' | 'shutdown' | 'sigterm' | 'sigkill' | 'never-started';
}

/** One message exchanged with the adapter, for traces (base64 audio is replaced by its size). */
export interface JournalEntry {
  readonly at: number;
  readonly dir: 'to-adapter' | 'from-adapter';
  readonly message: Readonly<Record<string, unknown>>;
}

/** The events a {@link Target} emits. */
export interface TargetEvents {
  observation: [TimedObservation];
  reply: [TimedReply];
  finding: [HarnessFinding];
  log: [LogLine];
  exit: [TargetExit];
}

type Phase = 'idle' | 'starting' | 'running' | 'stopping' | 'exited';

interface Pending {
  readonly type: string;
  /** Real time (Date.now()) it was sent, to find commands that were never answered. */
  readonly sentAt: number;
  /** Set for `request()`; absent for `send()`. */
  readonly settle?: {
    resolve: (reply: TimedReply) => void;
    reject: (err: TargetError) => void;
    timer: NodeJS.Timeout;
  };
}

const live = new Set<Target>();
let exitHookInstalled = false;

/** Kills every target still running when the runner process exits, whatever the reason. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const target of live) target.killNow();
  });
}

const LINE_EXCERPT = 500;

/**
 * A client under test, as a child process: an adapter speaking `swaram-adapter/1` over
 * stdin/stdout, or a wire-only app.
 *
 * @example
 * const target = new Target(resolveTarget({ target: './clients/reference' }), { now: clock.now });
 * const hello = await target.start();
 * target.on('observation', ({ at, observation }) => trace.add(at, observation));
 * await target.request({ type: 'connect', url, apiKey, model: 'mal-realtime-simple' });
 * // … scenario …
 * await target.stop();
 */
export class Target extends EventEmitter<TargetEvents> {
  /** Every harness finding so far, in order. */
  readonly findings: HarnessFinding[] = [];
  /** Every message exchanged with the adapter, in order. */
  readonly journal: JournalEntry[] = [];

  private readonly now: () => number;
  private readonly stderr: LogRing;
  private phase: Phase = 'idle';
  private child: ChildProcess | undefined;
  private helloMessage: Hello | undefined;
  /** Filled in place at the handshake, so a reference taken before `start()` stays valid. */
  private readonly featureSet = new Set<string>();
  private nextId = 0;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly timedOut = new Set<number>();
  private exitInfo: TargetExit | undefined;
  private exitWaiters: ((exit: TargetExit) => void)[] = [];
  private stopping: Promise<TargetExit> | undefined;
  private how: TargetExit['how'] = 'self';
  private handshake:
    | {
        resolve: (hello: Hello) => void;
        reject: (err: TargetError) => void;
        cancel: () => void;
      }
    | undefined;
  private stdoutEnded: Promise<unknown> = Promise.resolve();
  private stdoutLines = 0;
  private stdoutBytes = 0;
  private flooded = false;

  constructor(
    /** What to run, from `resolveTarget()`. */
    readonly spec: TargetSpec,
    private readonly options: TargetOptions = {},
  ) {
    super();
    this.now = options.now ?? (() => performance.now());
    this.stderr = new LogRing(options.log);
  }

  /** The adapter's `hello`, once `start()` resolved (undefined for wire-only targets). */
  get hello(): Hello | undefined {
    return this.helloMessage;
  }

  /** The features the adapter listed in `hello`. */
  get features(): ReadonlySet<string> {
    return this.featureSet;
  }

  /** Whether the adapter listed `feature`. Always false for wire-only targets. */
  supports(feature: AdapterFeature): boolean {
    return this.featureSet.has(feature);
  }

  /** The process id, while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the process is running and the handshake (if any) is done. */
  get running(): boolean {
    return this.phase === 'running';
  }

  /** How the process ended, once it did. */
  get exit(): TargetExit | undefined {
    return this.exitInfo;
  }

  /** The captured log (stderr; stdout too for wire-only targets). */
  get log(): LogRing {
    return this.stderr;
  }

  /**
   * Spawns the process and, for an adapter, waits for its `hello`.
   *
   * @returns the `hello` (undefined for a wire-only target)
   * @throws TargetError `spawn_failed`, `handshake_*`, `exited_early`; the process is stopped
   */
  async start(): Promise<Hello | undefined> {
    if (this.phase !== 'idle') {
      throw new Error(`Target.start() called twice (target ${this.spec.name} is ${this.phase})`);
    }
    this.phase = 'starting';
    const wire = this.spec.mode === 'wire';
    if (wire && !this.options.wire) {
      throw new Error('Target: a wire-only target needs options.wire { url, apiKey }');
    }
    const env = targetEnv(
      this.options.sourceEnv ?? process.env,
      { ...this.spec.env, ...this.options.env },
      this.options.passEnv,
    );
    if (wire && this.options.wire) {
      env.SWARAM_URL = this.options.wire.url;
      env.SWARAM_API_KEY = this.options.wire.apiKey;
      env.SWARAM_MODEL = this.options.wire.model ?? 'mal-realtime-simple';
    } else {
      env.SWARAM_ADAPTER_PROTOCOL = ADAPTER_PROTOCOL;
    }

    // Listen for the hello before the process exists, so no early line can be missed.
    const hello = wire ? undefined : this.awaitHello();
    hello?.catch(() => undefined); // awaited below; never an unhandled rejection

    const child = isInProcess(this.spec)
      ? launchInProcess(this.spec, this.options.clock)
      : spawn(this.spec.command, [...this.spec.args], {
          cwd: this.spec.cwd,
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
          // Its own process group, so stop() can signal everything the target started.
          detached: process.platform !== 'win32',
          windowsHide: true,
        });
    this.child = child;
    live.add(this);
    installExitHook();

    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => {
        reject(
          new TargetError(
            TargetErrorCode.SpawnFailed,
            `cannot start target ${this.spec.name}: ${this.commandText()} in ${this.spec.cwd}: ${err.message}`,
          ),
        );
      });
    });
    // Later errors (e.g. kill failing) must not be unhandled.
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);

    const stdoutLines = new LineSplitter(this.options.maxLineBytes ?? MAX_LINE_BYTES);
    const stderrLines = new LineSplitter(64 * 1024);
    child.stdout?.on('data', (chunk: Buffer) => {
      const at = this.now();
      for (const piece of stdoutLines.push(chunk)) {
        if (wire) this.onLogPiece('stdout', piece, at);
        else this.onStdoutPiece(piece, at);
      }
    });
    this.stdoutEnded = new Promise((resolve) => child.stdout?.once('close', resolve));
    child.stdout?.on('end', () => {
      const at = this.now();
      for (const piece of stdoutLines.end()) {
        if (wire) this.onLogPiece('stdout', piece, at);
        else this.onStdoutPiece(piece, at);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const at = this.now();
      for (const piece of stderrLines.push(chunk)) this.onLogPiece('stderr', piece, at);
    });
    child.stderr?.on('end', () => {
      const at = this.now();
      for (const piece of stderrLines.end()) this.onLogPiece('stderr', piece, at);
    });
    child.once('exit', (code, signal) => this.onExit(code, signal));

    try {
      await spawned;
    } catch (err) {
      this.handshake?.cancel();
      this.handshake = undefined;
      this.phase = 'exited';
      this.exitInfo = { at: this.now(), code: null, signal: null, how: 'never-started' };
      live.delete(this);
      throw err;
    }

    if (!hello) {
      this.phase = 'running';
      return undefined;
    }

    try {
      const message = await hello;
      this.helloMessage = message;
      for (const feature of message.features) this.featureSet.add(feature);
      this.phase = 'running';
      return message;
    } catch (err) {
      await this.terminate();
      throw err;
    }
  }

  /**
   * Sends a command without waiting for its reply; returns its `id`. A refusal (`ok: false`)
   * is recorded as a `command-rejected` finding.
   *
   * @throws TargetError `not_running`, `wire_only`, `invalid_command` (bugs of the caller)
   */
  send(command: CommandInput): number {
    return this.write(command);
  }

  /**
   * Sends a command and waits for its reply. A refusal is a reply too (`reply.ok === false`),
   * returned as data.
   *
   * @throws TargetError `request_timeout`, `exited`, and those of {@link Target.send}
   */
  request(command: CommandInput, options: { timeoutMs?: number } = {}): Promise<TimedReply> {
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 5_000;
    return new Promise<TimedReply>((resolve, reject) => {
      let id = 0;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.timedOut.add(id);
        const message = `no reply to ${command.type} (id ${id}) within ${timeoutMs} ms`;
        this.addFinding({ at: this.now(), code: 'request-timeout', message });
        reject(new TargetError(TargetErrorCode.RequestTimeout, message, this.stderr.tail()));
      }, timeoutMs);
      try {
        id = this.write(command, { resolve, reject, timer });
      } catch (err) {
        clearTimeout(timer);
        reject(err as Error);
      }
    });
  }

  /**
   * Observations from now on, as an async iterator that ends when the process exits.
   * Breaking out of the loop unsubscribes.
   *
   * @example
   * for await (const { at, observation } of target.observations()) { … }
   */
  observations(): AsyncIterableIterator<TimedObservation> {
    const queue: TimedObservation[] = [];
    let wake: (() => void) | undefined;
    let done = this.phase === 'exited';
    const onObservation = (o: TimedObservation) => {
      queue.push(o);
      wake?.();
    };
    const onExit = () => {
      done = true;
      wake?.();
    };
    const unsubscribe = () => {
      this.off('observation', onObservation);
      this.off('exit', onExit);
    };
    this.on('observation', onObservation);
    this.on('exit', onExit);
    const iterator: AsyncIterableIterator<TimedObservation> = {
      next: async () => {
        while (queue.length === 0 && !done) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        const value = queue.shift();
        if (value) return { value, done: false };
        unsubscribe();
        return { value: undefined, done: true };
      },
      return: async () => {
        unsubscribe();
        done = true;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * The next observation that matches `predicate`, arriving after this call.
   *
   * @throws TargetError `request_timeout` after `timeoutMs`, `exited` if the process ends first
   */
  waitForObservation(
    predicate: (observation: Observation) => boolean,
    timeoutMs: number,
  ): Promise<TimedObservation> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off('observation', onObservation);
        this.off('exit', onExit);
      };
      const onObservation = (o: TimedObservation) => {
        if (!predicate(o.observation)) return;
        cleanup();
        resolve(o);
      };
      const onExit = () => {
        cleanup();
        reject(this.exitedError('while waiting for an observation'));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new TargetError(
            TargetErrorCode.RequestTimeout,
            `no matching observation within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      if (this.phase === 'exited') {
        onExit();
        return;
      }
      this.on('observation', onObservation);
      this.on('exit', onExit);
    });
  }

  /**
   * Ends the process: `shutdown` (adapters), then `SIGTERM`, then `SIGKILL` to its whole
   * process group, each after its timeout. Idempotent; never rejects.
   */
  stop(): Promise<TargetExit> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  /** Synchronous `SIGKILL` of the process group, for the runner's own exit. */
  killNow(): void {
    this.signalGroup('SIGKILL');
  }

  // -------------------------------------------------------------------------------------------

  private async doStop(): Promise<TargetExit> {
    if (this.phase === 'idle') {
      this.phase = 'exited';
      const exit: TargetExit = { at: this.now(), code: null, signal: null, how: 'never-started' };
      this.exitInfo = exit;
      return exit;
    }
    if (this.exitInfo) {
      this.cleanupGroup();
      return this.exitInfo;
    }
    const wasRunning = this.phase === 'running';
    this.phase = 'stopping';
    this.how = 'shutdown';
    this.reportUnanswered();
    if (wasRunning && this.spec.mode === 'adapter') {
      try {
        this.write({ type: 'shutdown' }, undefined, true);
      } catch {
        // stdin already gone: the signals below take over.
      }
    }
    this.child?.stdin?.end();
    return this.terminate();
  }

  /** Fire-and-forget commands still without a reply after the request timeout are findings. */
  private reportUnanswered(): void {
    const timeoutMs = this.options.requestTimeoutMs ?? 5_000;
    const now = Date.now();
    for (const [id, pending] of this.pending) {
      if (pending.settle || now - pending.sentAt < timeoutMs) continue;
      this.pending.delete(id);
      this.addFinding({
        at: this.now(),
        code: 'request-timeout',
        message: `no reply to ${pending.type} (id ${id}) within ${timeoutMs} ms`,
      });
    }
  }

  /** Waits for the exit, escalating to SIGTERM and SIGKILL. */
  private async terminate(): Promise<TargetExit> {
    const shutdownMs = this.options.shutdownTimeoutMs ?? 2_000;
    const termMs = this.options.termTimeoutMs ?? 2_000;
    if (this.phase !== 'stopping' && this.phase !== 'exited') {
      this.phase = 'stopping';
      this.how = 'shutdown';
      this.child?.stdin?.end();
    }
    let exit = await this.waitExit(shutdownMs);
    if (!exit) {
      this.how = 'sigterm';
      this.signalGroup('SIGTERM');
      exit = await this.waitExit(termMs);
    }
    if (!exit) {
      this.how = 'sigkill';
      this.signalGroup('SIGKILL');
      exit = await this.waitExit(10_000);
    }
    this.cleanupGroup();
    return (
      exit ?? {
        at: this.now(),
        code: null,
        signal: null,
        how: 'sigkill',
      }
    );
  }

  private waitExit(ms: number): Promise<TargetExit | undefined> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.exitWaiters = this.exitWaiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, ms);
      const waiter = (exit: TargetExit) => {
        clearTimeout(timer);
        resolve(exit);
      };
      this.exitWaiters.push(waiter);
    });
  }

  /** After the leader exited: kill anything it left in its group, release the pipes. */
  private cleanupGroup(): void {
    this.signalGroup('SIGKILL');
    this.child?.stdout?.destroy();
    this.child?.stderr?.destroy();
    this.child?.stdin?.destroy();
    live.delete(this);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      if (process.platform === 'win32') {
        if (!this.exitInfo) this.child?.kill(signal);
      } else {
        process.kill(-pid, signal);
      }
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const unexpected = this.phase === 'running' || this.phase === 'starting';
    const exit: TargetExit = { at: this.now(), code, signal, how: unexpected ? 'self' : this.how };
    this.exitInfo = exit;
    const wasRunning = this.phase === 'running';
    this.phase = 'exited';
    // Let the last lines on the pipe arrive before reporting (a grandchild may hold the pipe
    // open, hence the cap).
    let timer: NodeJS.Timeout | undefined;
    const settled = Promise.race([
      this.stdoutEnded,
      new Promise((resolve) => (timer = setTimeout(resolve, 200))),
    ]);
    void settled.then(() => {
      clearTimeout(timer);
      // A wire-only app may end on its own (e.g. after a 4001): not a harness problem.
      if (wasRunning && this.spec.mode === 'adapter') {
        this.addFinding({
          at: exit.at,
          code: 'exited',
          message: `the target exited on its own (${describeExit(code, signal)}) while the runner was using it`,
        });
      }
      if (this.handshake) {
        const handshake = this.handshake;
        this.handshake = undefined;
        handshake.reject(
          new TargetError(
            TargetErrorCode.ExitedEarly,
            `${this.spec.name} exited (${describeExit(code, signal)}) before saying hello; ` +
              `it was started as: ${this.commandText()}`,
            this.stderr.tail(),
          ),
        );
      }
      for (const [id, pending] of this.pending) {
        if (!pending.settle) continue;
        clearTimeout(pending.settle.timer);
        pending.settle.reject(
          this.exitedError(`while waiting for the reply to ${pending.type} (id ${id})`),
        );
      }
      this.pending.clear();
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      for (const waiter of waiters) waiter(exit);
      this.emit('exit', exit);
    });
  }

  private exitedError(when: string): TargetError {
    const exit = this.exitInfo;
    return new TargetError(
      TargetErrorCode.Exited,
      `${this.spec.name} exited (${exit ? describeExit(exit.code, exit.signal) : 'unknown status'}) ${when}`,
      this.stderr.tail(),
    );
  }

  private awaitHello(): Promise<Hello> {
    const timeoutMs = this.options.handshakeTimeoutMs ?? 10_000;
    return new Promise<Hello>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.handshake) return;
        this.handshake = undefined;
        reject(
          new TargetError(
            TargetErrorCode.HandshakeTimeout,
            `${this.spec.name} said nothing on stdout within ${timeoutMs} ms; expected a ` +
              `{"type":"hello","protocol":"${ADAPTER_PROTOCOL}",…} line first. Is its stdout ` +
              `buffered (flush after every line), or is it waiting for input? Started as: ${this.commandText()}`,
            this.stderr.tail(),
          ),
        );
      }, timeoutMs);
      this.handshake = {
        resolve: (hello) => {
          clearTimeout(timer);
          resolve(hello);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
        cancel: () => clearTimeout(timer),
      };
    });
  }

  private onLogPiece(
    stream: 'stdout' | 'stderr',
    piece: ReturnType<LineSplitter['push']>[number],
    at: number,
  ): void {
    const text = piece.kind === 'line' ? piece.text : `${piece.head}… [${piece.bytes} characters]`;
    const line: LogLine = { at, stream, text };
    this.stderr.push(line);
    this.emit('log', line);
  }

  private onStdoutPiece(piece: ReturnType<LineSplitter['push']>[number], at: number): void {
    if (this.overStdoutLimits(piece.kind === 'line' ? piece.text.length : piece.bytes, at)) return;
    const seq = this.seq++;
    if (piece.kind === 'too-long') {
      const message = `a line of about ${piece.bytes} characters exceeds the ${this.options.maxLineBytes ?? MAX_LINE_BYTES}-byte limit`;
      if (this.handshake) this.failHandshake(TargetErrorCode.HandshakeGarbage, message);
      else this.addFinding({ at, code: 'line-too-long', message, line: excerpt(piece.head) });
      return;
    }
    if (piece.text.trim() === '') return;
    if (jsonDepth(piece.text) > TARGET_LIMITS.depth) {
      const message = `a line nests objects or arrays deeper than ${TARGET_LIMITS.depth} levels (ignored)`;
      if (this.handshake) this.failHandshake(TargetErrorCode.HandshakeInvalid, message);
      else this.addFinding({ at, code: 'too-deep', message, line: excerpt(piece.text, 200) });
      return;
    }
    const parsed = parseAdapterLine(piece.text);
    if (this.handshake) {
      this.onHandshakeLine(piece.text, parsed);
      return;
    }
    if (!parsed.ok) {
      this.addFinding({
        at,
        code: parsed.problem,
        message: describeProblem(parsed),
        line: excerpt(piece.text),
        issues: parsed.issues,
      });
      return;
    }
    const message = parsed.message;
    this.addJournal({ at, dir: 'from-adapter', message: elideAudio(message) });
    if (message.type === 'hello') {
      this.addFinding({
        at,
        code: 'hello-again',
        message: 'a second hello after the handshake (ignored)',
        line: excerpt(piece.text),
      });
    } else if (message.type === 'reply') {
      this.onReply({ at, seq, reply: message }, piece.text);
    } else {
      this.emit('observation', { at, seq, observation: message });
    }
  }

  private onHandshakeLine(text: string, parsed: ParsedLine): void {
    if (!parsed.ok) {
      if (parsed.problem === 'invalid-json') {
        this.failHandshake(
          TargetErrorCode.HandshakeGarbage,
          `the first line ${this.spec.name} wrote on stdout is not a JSON object: ${JSON.stringify(excerpt(text, 200))}. ` +
            `Expected {"type":"hello","protocol":"${ADAPTER_PROTOCOL}",…}. stdout is reserved for the ` +
            'adapter protocol: write logs to stderr',
        );
      } else if (parsed.type !== 'hello') {
        this.failHandshake(
          TargetErrorCode.HandshakeInvalid,
          `the first message from ${this.spec.name} must be hello, got ${parsed.type === undefined ? 'an object without a "type"' : `type ${JSON.stringify(parsed.type)}`}: ${excerpt(text, 200)}`,
        );
      } else {
        this.failHandshake(
          TargetErrorCode.HandshakeInvalid,
          `the hello from ${this.spec.name} is invalid: ${parsed.issues.map((i) => `${i.path || '(top level)'} ${i.message}`).join('; ')}. Got: ${excerpt(text, 300)}`,
        );
      }
      return;
    }
    const message = parsed.message;
    if (message.type !== 'hello') {
      this.failHandshake(
        TargetErrorCode.HandshakeInvalid,
        `the first message from ${this.spec.name} must be hello, got type ${JSON.stringify(message.type)}: ${excerpt(text, 200)}`,
      );
      return;
    }
    if (message.protocol !== ADAPTER_PROTOCOL) {
      this.failHandshake(
        TargetErrorCode.HandshakeVersion,
        `${this.spec.name} speaks ${JSON.stringify(message.protocol)}, this runner speaks ` +
          `${JSON.stringify(ADAPTER_PROTOCOL)}: update the adapter or the runner`,
      );
      return;
    }
    this.addJournal({ at: this.now(), dir: 'from-adapter', message });
    const handshake = this.handshake;
    this.handshake = undefined;
    handshake?.resolve(message);
  }

  private failHandshake(code: TargetErrorCode, message: string): void {
    const handshake = this.handshake;
    this.handshake = undefined;
    handshake?.reject(new TargetError(code, message, this.stderr.tail()));
  }

  private onReply(timed: TimedReply, text: string): void {
    const { reply, at } = timed;
    const id = reply.id;
    const pending = id === null ? undefined : this.pending.get(id);
    if (pending) {
      this.pending.delete(id as number);
      if (pending.settle) {
        clearTimeout(pending.settle.timer);
        pending.settle.resolve(timed);
      } else if (!reply.ok) {
        this.addFinding({
          at,
          code: 'command-rejected',
          message: `the adapter refused ${pending.type} (id ${id}): ${reply.error?.code ?? '?'}: ${reply.error?.message ?? ''}`,
          line: excerpt(text),
        });
      }
    } else if (id !== null && this.timedOut.delete(id)) {
      this.addFinding({
        at,
        code: 'late-reply',
        message: `reply to command ${id} arrived after its request timed out`,
        line: excerpt(text),
      });
    } else {
      this.addFinding({
        at,
        code: 'unexpected-reply',
        message:
          id === null
            ? `the adapter could not read a command: ${reply.error?.code ?? '?'}: ${reply.error?.message ?? ''}`
            : `reply with id ${id}, which matches no command waiting for a reply`,
        line: excerpt(text),
      });
    }
    this.emit('reply', timed);
  }

  private write(command: CommandInput, settle?: Pending['settle'], duringStop = false): number {
    if (this.spec.mode === 'wire') {
      throw new TargetError(
        TargetErrorCode.WireOnly,
        `${this.spec.name} is a wire-only target: it has no adapter channel for ${command.type}`,
      );
    }
    if (!(this.phase === 'running' || (duringStop && this.phase === 'stopping'))) {
      throw new TargetError(
        TargetErrorCode.NotRunning,
        `cannot send ${command.type}: target ${this.spec.name} is ${this.phase === 'idle' || this.phase === 'starting' ? 'not started' : 'no longer running'}`,
        this.phase === 'exited' ? this.stderr.tail() : undefined,
      );
    }
    const id = ++this.nextId;
    const message = { ...command, id } as AdapterCommand;
    const issues = validateCommand(message);
    if (issues.length > 0) {
      throw new TargetError(
        TargetErrorCode.InvalidCommand,
        `runner bug: ${command.type} does not match swaram-adapter/1: ${issues.map((i) => `${i.path || '(top level)'} ${i.message}`).join('; ')}`,
      );
    }
    const sentAt = Date.now();
    this.pending.set(
      id,
      settle ? { type: command.type, sentAt, settle } : { type: command.type, sentAt },
    );
    this.addJournal({ at: this.now(), dir: 'to-adapter', message: elideAudio(message) });
    this.child?.stdin?.write(encodeJsonLine(message));
    return id;
  }

  private addFinding(finding: HarnessFinding): void {
    // The findings that say why the target stopped are kept past the cap.
    const always = finding.code === 'flood' || finding.code === 'exited';
    if (this.findings.length > TARGET_LIMITS.findings && !always) return;
    const f: HarnessFinding =
      this.findings.length < TARGET_LIMITS.findings || always
        ? finding
        : {
            at: finding.at,
            code: 'limit',
            message: `more than ${TARGET_LIMITS.findings} harness findings: the rest are not recorded`,
          };
    this.findings.push(f);
    this.emit('finding', f);
  }

  /** Keeps a journal entry while the journal is under its limit. */
  private addJournal(entry: JournalEntry): void {
    if (this.journal.length < TARGET_LIMITS.journal) this.journal.push(entry);
  }

  /**
   * Counts what the adapter wrote on stdout; past the limits it is flooding: one `flood`
   * finding, and the adapter is stopped (its exit ends the scenario).
   */
  private overStdoutLimits(bytes: number, at: number): boolean {
    if (this.flooded) return true;
    this.stdoutLines += 1;
    this.stdoutBytes += bytes;
    if (
      this.stdoutLines <= TARGET_LIMITS.stdoutLines &&
      this.stdoutBytes <= TARGET_LIMITS.stdoutBytes
    )
      return false;
    this.flooded = true;
    this.addFinding({
      at,
      code: 'flood',
      message:
        `the adapter wrote more than ${TARGET_LIMITS.stdoutLines} lines or ` +
        `${TARGET_LIMITS.stdoutBytes / 1024 / 1024} MiB on stdout: it was stopped`,
    });
    this.signalGroup('SIGKILL');
    return true;
  }

  private commandText(): string {
    return [this.spec.command, ...this.spec.args]
      .map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`))
      .join(' ');
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `status ${code ?? '?'}`;
}

function describeProblem(parsed: Extract<ParsedLine, { ok: false }>): string {
  const issues = parsed.issues.map((i) => `${i.path || '(top level)'} ${i.message}`).join('; ');
  switch (parsed.problem) {
    case 'invalid-json':
      return `a line on stdout is not a JSON object (${issues})`;
    case 'missing-type':
      return 'a message without a string "type"';
    case 'unknown-type':
      return issues;
    case 'invalid-message':
      return `invalid ${parsed.type ?? ''} message: ${issues}`;
  }
}

function excerpt(text: string, max = LINE_EXCERPT): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A copy of a message with base64 `audio` replaced by its decoded size. */
function elideAudio(message: object): Readonly<Record<string, unknown>> {
  const record = message as Record<string, unknown>;
  if (typeof record.audio !== 'string') return record;
  const { audio, ...rest } = record;
  const padding = audio.endsWith('==') ? 2 : audio.endsWith('=') ? 1 : 0;
  return { ...rest, audioBytes: (audio.length / 4) * 3 - padding };
}
