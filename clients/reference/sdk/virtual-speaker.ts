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
 * played. Times are computed from the previous chunk's end, not from when a timer fired, so
 * timer lateness does not accumulate. Useful for headless apps, tests and conformance runs.
 */
export class VirtualSpeaker implements Player {
  private readonly clock: Clock;
  private readonly queue: PlaybackChunk[] = [];
  private current: Current | undefined;
  /** When the last chunk ended (the next one starts here if it was queued in time). */
  private lastEnd = -Infinity;
  private readonly enqueuedAt = new WeakMap<PlaybackChunk, number>();
  private closed = false;

  constructor(private readonly options: VirtualSpeakerOptions = {}) {
    this.clock = options.clock ?? realClock;
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
    this.enqueuedAt.set(chunk, this.clock.now());
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
    const now = this.clock.now();
    const queuedAt = this.enqueuedAt.get(chunk) ?? now;
    // Continuous playback starts where the previous chunk ended; after an underrun, when the
    // chunk arrived.
    const startAt = Math.min(now, Math.max(this.lastEnd, queuedAt));
    const endAt = startAt + chunk.pcm.length / BYTES_PER_MS;
    const timer = this.clock.setTimeout(() => this.finish(), endAt - now);
    this.current = { chunk, startAt, endAt, timer };
  }

  private finish(): void {
    const current = this.current;
    if (!current) return;
    this.lastEnd = current.endAt;
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
        Math.floor((elapsed * BYTES_PER_MS) / 2) * 2,
      );
      this.lastEnd = current.startAt + played / BYTES_PER_MS;
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
