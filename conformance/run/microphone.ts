import { chunkPcm, silence, type Pcm16 } from '../../protocol/audio/index.js';
import type { Scheduler, ScheduledTask } from '../../mock-server/scheduler.js';
import type { ScenarioClock } from './scenario-clock.js';

/** Options of {@link Microphone}. */
export interface MicrophoneOptions {
  /**
   * Where each chunk goes (base64 PCM16), e.g. a `mic.audio` command; `turn` is the fixture
   * turn whose speech it carries (undefined for silence).
   */
  send(audio: string, turn: number | undefined): void;
  /** The run's clock (speed included). */
  clock: ScenarioClock;
  /** The mock's scheduler, so chunks and the mock's replies share one timeline. */
  scheduler: Scheduler;
  /** Chunk size in scenario ms of audio. Default 20. */
  chunkMs?: number;
}

/**
 * The app's microphone: once started it sends one chunk every `chunkMs` of scenario time,
 * silence unless speech is queued. Chunks are due at absolute times from the start, so a late
 * tick does not push the later ones back.
 */
export class Microphone {
  readonly chunkMs: number;
  private readonly silenceChunk: string;
  private queue: Array<{ audio: string; turn: number | undefined }> = [];
  private drained: Array<() => void> = [];
  private task: ScheduledTask | undefined;
  private running = false;
  private startedAt = 0;
  private ticks = 0;
  private fedMs = 0;

  constructor(private readonly options: MicrophoneOptions) {
    this.chunkMs = options.chunkMs ?? 20;
    this.silenceChunk = chunkPcm(silence(this.chunkMs), this.chunkMs)[0]!;
  }

  /** Whether it is sending. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Scenario ms of audio sent so far (speech and silence). */
  get sentMs(): number {
    return this.fedMs;
  }

  /** Scenario ms of audio from the start at which speech queued now would begin. */
  get queueEndMs(): number {
    return this.fedMs + this.queue.length * this.chunkMs;
  }

  /** Starts sending at once; no-op when running. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.options.clock.now();
    this.ticks = 0;
    this.task = this.options.scheduler.at(this.startedAt, () => this.tick());
  }

  /**
   * Queues speech (of fixture turn `turn`, when it is one) after what is queued already.
   * Resolves once its last chunk was sent, or when the microphone stops; at once when it is
   * not running.
   */
  speak(pcm: Pcm16, turn?: number): Promise<void> {
    const chunks = chunkPcm(pcm, this.chunkMs).map((audio) => ({ audio, turn }));
    this.queue = this.queue.concat(chunks);
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => this.drained.push(resolve));
  }

  /** Stops sending; whoever waits for queued speech is released. */
  stop(): void {
    this.running = false;
    this.options.scheduler.cancel(this.task);
    this.task = undefined;
    this.release();
  }

  private tick(): void {
    if (!this.running) return;
    const next = this.queue.shift();
    this.options.send(next?.audio ?? this.silenceChunk, next?.turn);
    this.fedMs += this.chunkMs;
    if (next !== undefined && this.queue.length === 0) this.release();
    this.ticks += 1;
    const due = this.startedAt + this.options.clock.toClockMs(this.ticks * this.chunkMs);
    this.task = this.options.scheduler.at(due, () => this.tick());
  }

  private release(): void {
    const waiting = this.drained;
    this.drained = [];
    for (const resolve of waiting) resolve();
  }
}
