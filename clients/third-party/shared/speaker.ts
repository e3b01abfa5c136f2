import { send } from './host.js';

/*
 * The virtual speaker of docs/adapter-protocol.md: PCM16 24 kHz mono played at 48 bytes per
 * ms (times the run's speed), one chunk after another, `audio.played` when a chunk has played
 * to its end, `playback.stopped` when the app flushes it. Neither SDK graded here has a player
 * of its own: the app plays what the SDK hands it, and this is that app's speaker. It plays
 * whatever it is given, in the order given: deciding what to play is the SDK's (or its
 * documented app contract's) business.
 */

const BYTES_PER_MS = 48;

interface Chunk {
  readonly pcm: Buffer;
  readonly responseId: string;
  readonly itemId: string;
}

interface Playing {
  readonly chunk: Chunk;
  readonly startAt: number;
  readonly endAt: number;
  timer: NodeJS.Timeout;
}

export type StopReason = 'barge-in' | 'interrupt' | 'cancelled' | 'end' | 'reconnect' | 'other';

export class Speaker {
  private readonly queue: Chunk[] = [];
  private playing: Playing | undefined;
  private readonly bytesPerMs: number;
  private closed = false;

  constructor(
    speed: number,
    private readonly reportAudio: boolean,
  ) {
    this.bytesPerMs = BYTES_PER_MS * speed;
  }

  /**
   * Queues audio. A PCM16 device plays whole samples: a trailing odd byte is not played (and
   * not reported as dropped: the device does not tell). An empty buffer plays nothing.
   */
  enqueue(audio: Buffer, responseId: string, itemId: string): void {
    const pcm = audio.length % 2 === 0 ? audio : audio.subarray(0, audio.length - 1);
    if (this.closed || pcm.length === 0) return;
    this.queue.push({ pcm, responseId, itemId });
    if (!this.playing) this.next();
  }

  /** Drops everything queued or playing; reports the played part of the current chunk. */
  stop(reason: StopReason): void {
    let dropped = 0;
    const ids: string[] = [];
    const note = (id: string) => {
      if (!ids.includes(id)) ids.push(id);
    };
    const playing = this.playing;
    if (playing) {
      clearTimeout(playing.timer);
      this.playing = undefined;
      const elapsed = Math.max(0, Math.min(performance.now(), playing.endAt) - playing.startAt);
      const played = Math.min(
        playing.chunk.pcm.length,
        Math.floor((elapsed * this.bytesPerMs) / 2) * 2,
      );
      if (played > 0) this.played(playing.chunk, played);
      dropped += playing.chunk.pcm.length - played;
      note(playing.chunk.responseId);
    }
    for (const chunk of this.queue) {
      dropped += chunk.pcm.length;
      note(chunk.responseId);
    }
    const had = playing !== undefined || this.queue.length > 0;
    this.queue.length = 0;
    if (had) send({ type: 'playback.stopped', reason, droppedBytes: dropped, response_ids: ids });
  }

  close(): void {
    this.closed = true;
  }

  private next(): void {
    const chunk = this.queue.shift();
    if (!chunk) return;
    const startAt = performance.now();
    const endAt = startAt + chunk.pcm.length / this.bytesPerMs;
    const playing: Playing = {
      chunk,
      startAt,
      endAt,
      timer: setTimeout(() => this.finish(), endAt - startAt),
    };
    this.playing = playing;
  }

  private finish(): void {
    const playing = this.playing;
    if (!playing) return;
    const early = playing.endAt - performance.now();
    if (early > 0) {
      // Timers may fire a little early: wait out the rest.
      playing.timer = setTimeout(() => this.finish(), Math.max(1, early));
      return;
    }
    this.playing = undefined;
    this.played(playing.chunk, playing.chunk.pcm.length);
    this.next();
  }

  private played(chunk: Chunk, bytes: number): void {
    if (bytes <= 0) return;
    send({
      type: 'audio.played',
      response_id: chunk.responseId,
      item_id: chunk.itemId,
      bytes,
      ...(this.reportAudio ? { audio: chunk.pcm.subarray(0, bytes).toString('base64') } : {}),
    });
  }
}
