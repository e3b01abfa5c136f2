/** Why playback was cut short. */
export type StopReason = 'barge-in' | 'interrupt' | 'cancelled' | 'end' | 'reconnect' | 'other';

/** A piece of reply audio for the speaker. */
export interface PlaybackChunk {
  readonly responseId: string;
  readonly itemId: string;
  /** Which connection of the session it came from (response ids are per connection). */
  readonly generation: number;
  /** PCM16 24 kHz mono bytes, an even number. */
  readonly pcm: Uint8Array;
}

/**
 * Where the client sends reply audio. The client queues chunks in the order they must be
 * heard; the player plays them one after the other and must obey `stop` at once.
 */
export interface Player {
  /** Queues a chunk after everything already queued. */
  enqueue(chunk: PlaybackChunk): void;
  /** Stops what is playing now and discards everything queued. */
  stop(reason: StopReason): void;
  /** Discards the audio of one response (playing or queued); the rest plays on. */
  dropResponse(responseId: string, generation: number, reason: StopReason): void;
  /** Whether audio is playing or queued. */
  readonly busy: boolean;
  /** Releases the device; nothing plays afterwards. */
  close(): void;
}

/** A player that discards everything: for apps that do not play audio. */
export class NullPlayer implements Player {
  readonly busy = false;
  enqueue(): void {}
  stop(): void {}
  dropResponse(): void {}
  close(): void {}
}
