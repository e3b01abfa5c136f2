import { realClock, type Clock } from './clock.js';
import { BYTES_PER_MS } from './pcm16.js';
import type { PlaybackChunk, Player, StopReason } from './player.js';

/** Audio that left the speaker. */
export interface PlayedAudio {
  readonly responseId: string;
  readonly itemId: string;
  /** The bytes played: the whole chunk, or its first part when playback was cut. */
  readonly pcm: Uint8Array;
  /** Clock time at which the first byte started playing. */
  readonly startedAt: number;
}

/** Playback cut short. */
export interface PlaybackStop {
  readonly reason: StopReason;
  /** Bytes discarded without being played. */
  readonly droppedBytes: number;
  /** Responses whose audio was discarded (in queue order, each once). */
  readonly responseIds: string[];
}

/** Options of {@link VirtualSpeaker}. */
export interface VirtualSpeakerOptions {
  /** Default {@link realClock}. */
  readonly clock?: Clock;
  /** Called when a chunk (or the played part of a cut one) has been played to its end. */
  readonly onPlayed?: (audio: PlayedAudio) => void;
  /** Called when queued or playing audio is discarded. */
  readonly onStopped?: (stop: PlaybackStop) => void;
  /**
   * Playback rate: 1 plays in real time (48 bytes per ms); 2 plays twice as fast (a
   * conformance run at `--speed 2` speeds up every clock of the session, the speaker's too).
   */
  readonly rate?: number;
}

interface Current {
  readonly chunk: PlaybackChunk;
  readonly startAt: number;
  readonly endAt: number;
  readonly timer: unknown;
}

/**
 * A speaker without a sound card: it consumes PCM16 24 kHz mono at real time (48 bytes per
 * ms) on a {@link Clock}, one chunk after the other, and says when each chunk has been
 * played. Useful for headless apps, tests and conformance runs.
 *
 * A chunk starts at the moment the previous one was reported played (or when it is queued, if
 * the speaker was idle) and lasts exactly its duration. So an observer that places each chunk
 * at `[report time − duration, report time]` sees chunks back to back, never overlapping; a
 * late timer delays what follows by its lateness instead.
 */
export class VirtualSpeaker implements Player {
  private readonly clock: Clock;
  private readonly queue: PlaybackChunk[] = [];
  private current: Current | undefined;
  private closed = false;

  private readonly bytesPerMs: number;

  constructor(private readonly options: VirtualSpeakerOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.bytesPerMs = BYTES_PER_MS * (options.rate ?? 1);
  }

  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /** Bytes queued and not yet played (the current chunk counts whole). */
  get queuedBytes(): number {
    return (this.current?.chunk.pcm.length ?? 0) + this.queue.reduce((n, c) => n + c.pcm.length, 0);
  }

  enqueue(chunk: PlaybackChunk): void {
    if (this.closed || chunk.pcm.length === 0) return;
    this.queue.push(chunk);
    if (!this.current) this.startNext();
  }

  stop(reason: StopReason): void {
    this.discard(() => true, reason);
  }

  dropResponse(responseId: string, generation: number, reason: StopReason): void {
    this.discard((c) => c.responseId === responseId && c.generation === generation, reason);
  }

  close(): void {
    if (this.current) this.clock.clearTimeout(this.current.timer);
    this.current = undefined;
    this.queue.length = 0;
    this.closed = true;
  }

  private startNext(): void {
    const chunk = this.queue.shift();
    if (!chunk) {
      this.current = undefined;
      return;
    }
    const startAt = this.clock.now();
    const endAt = startAt + chunk.pcm.length / this.bytesPerMs;
    this.current = { chunk, startAt, endAt, timer: this.arm(endAt) };
  }

  private arm(endAt: number): unknown {
    return this.clock.setTimeout(() => this.finish(), endAt - this.clock.now());
  }

  private finish(): void {
    const current = this.current;
    if (!current) return;
    // Timers may fire a fraction of a millisecond early: play to the very end.
    const early = current.endAt - this.clock.now();
    if (early > 0) {
      const timer = this.clock.setTimeout(() => this.finish(), Math.max(1, early));
      this.current = { ...current, timer };
      return;
    }
    this.current = undefined;
    this.options.onPlayed?.({
      responseId: current.chunk.responseId,
      itemId: current.chunk.itemId,
      pcm: current.chunk.pcm,
      startedAt: current.startAt,
    });
    this.startNext();
  }

  private discard(match: (chunk: PlaybackChunk) => boolean, reason: StopReason): void {
    let dropped = 0;
    const ids: string[] = [];
    const note = (id: string) => {
      if (!ids.includes(id)) ids.push(id);
    };
    const current = this.current;
    let cutCurrent = false;
    if (current && match(current.chunk)) {
      cutCurrent = true;
      this.clock.clearTimeout(current.timer);
      this.current = undefined;
      const now = this.clock.now();
      const elapsed = Math.max(0, Math.min(now, current.endAt) - current.startAt);
      const played = Math.min(
        current.chunk.pcm.length,
        Math.floor((elapsed * this.bytesPerMs) / 2) * 2,
      );
      if (played > 0) {
        this.options.onPlayed?.({
          responseId: current.chunk.responseId,
          itemId: current.chunk.itemId,
          pcm: current.chunk.pcm.subarray(0, played),
          startedAt: current.startAt,
        });
      }
      dropped += current.chunk.pcm.length - played;
      note(current.chunk.responseId);
    }
    const kept: PlaybackChunk[] = [];
    for (const chunk of this.queue) {
      if (match(chunk)) {
        dropped += chunk.pcm.length;
        note(chunk.responseId);
      } else {
        kept.push(chunk);
      }
    }
    const touched = cutCurrent || kept.length !== this.queue.length;
    this.queue.splice(0, this.queue.length, ...kept);
    if (touched) this.options.onStopped?.({ reason, droppedBytes: dropped, responseIds: ids });
    if (!this.current) this.startNext();
  }
}
