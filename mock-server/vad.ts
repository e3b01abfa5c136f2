import { SAMPLES_PER_MS } from '../protocol/audio/index.js';

/** Settings of the mock's energy voice-activity detector. Defaults are documented in docs/mock-server.md. */
export interface VadOptions {
  /** A 10 ms frame louder than this (RMS, dBFS) counts as speech. Default -45. */
  thresholdDbfs?: number;
  /** Speech must last this long before `speech_started` is reported. Default 80 ms. */
  minSpeechMs?: number;
  /** This much silence ends the turn (`speech_stopped`). Default 500 ms. */
  silenceMs?: number;
  /** `audio_start_ms` reaches back this far before the first loud frame. Default 300 ms. */
  prefixPaddingMs?: number;
}

export const VAD_DEFAULTS: Required<VadOptions> = {
  thresholdDbfs: -45,
  minSpeechMs: 80,
  silenceMs: 500,
  prefixPaddingMs: 300,
};

/** What the detector saw; times are on the session's audio clock (ms of audio appended). */
export type VadEvent =
  { type: 'speech_started'; audioStartMs: number } | { type: 'speech_stopped'; audioEndMs: number };

const FRAME_MS = 10;
const FRAME_SAMPLES = SAMPLES_PER_MS * FRAME_MS;

/**
 * An energy voice-activity detector over PCM16 24 kHz mono, in 10 ms frames.
 *
 * It keeps the session's audio clock: `audio_start_ms` and `audio_end_ms` count milliseconds
 * of audio appended since the session began, as swaram (and OpenAI) report them. Following
 * OpenAI's server VAD, `audio_start_ms` includes the prefix padding and `audio_end_ms`
 * includes the silence that ended the turn. Pure: no timers, no I/O.
 */
export class EnergyVad {
  readonly options: Required<VadOptions>;
  private readonly thresholdMeanSquare: number;
  private readonly minSpeechFrames: number;
  private readonly silenceFrames: number;
  private partial = new Int16Array(FRAME_SAMPLES);
  private partialLength = 0;
  private framesSeen = 0;
  private speaking = false;
  private loudRun = 0;
  private quietRun = 0;

  constructor(options: VadOptions = {}) {
    this.options = { ...VAD_DEFAULTS, ...options };
    const amplitude = 32768 * 10 ** (this.options.thresholdDbfs / 20);
    this.thresholdMeanSquare = amplitude * amplitude;
    this.minSpeechFrames = Math.max(1, Math.round(this.options.minSpeechMs / FRAME_MS));
    this.silenceFrames = Math.max(1, Math.round(this.options.silenceMs / FRAME_MS));
  }

  /** Milliseconds of audio seen so far (whole frames). */
  get audioMs(): number {
    return this.framesSeen * FRAME_MS;
  }

  /** True between `speech_started` and `speech_stopped`. */
  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Feeds samples of any length; returns what was detected, in order. */
  push(samples: Int16Array): VadEvent[] {
    const events: VadEvent[] = [];
    let i = 0;
    if (this.partialLength > 0) {
      const take = Math.min(FRAME_SAMPLES - this.partialLength, samples.length);
      this.partial.set(samples.subarray(0, take), this.partialLength);
      this.partialLength += take;
      i = take;
      if (this.partialLength === FRAME_SAMPLES) {
        this.frame(this.partial, 0, events);
        this.partialLength = 0;
      }
    }
    for (; i + FRAME_SAMPLES <= samples.length; i += FRAME_SAMPLES) this.frame(samples, i, events);
    if (i < samples.length) {
      this.partial.set(samples.subarray(i), 0);
      this.partialLength = samples.length - i;
    }
    return events;
  }

  /**
   * Forgets any speech in progress (after `input_audio_buffer.clear` or a commit). The audio
   * clock keeps running.
   */
  reset(): void {
    this.speaking = false;
    this.loudRun = 0;
    this.quietRun = 0;
  }

  private frame(samples: Int16Array, offset: number, events: VadEvent[]): void {
    let sum = 0;
    for (let j = offset; j < offset + FRAME_SAMPLES; j++) {
      const s = samples[j]!;
      sum += s * s;
    }
    const loud = sum / FRAME_SAMPLES > this.thresholdMeanSquare;
    this.framesSeen += 1;
    if (!this.speaking) {
      this.loudRun = loud ? this.loudRun + 1 : 0;
      if (this.loudRun >= this.minSpeechFrames) {
        this.speaking = true;
        this.quietRun = 0;
        const onsetMs = (this.framesSeen - this.loudRun) * FRAME_MS;
        events.push({
          type: 'speech_started',
          audioStartMs: Math.max(0, onsetMs - this.options.prefixPaddingMs),
        });
      }
    } else {
      this.quietRun = loud ? 0 : this.quietRun + 1;
      if (this.quietRun >= this.silenceFrames) {
        this.speaking = false;
        this.loudRun = 0;
        events.push({ type: 'speech_stopped', audioEndMs: this.framesSeen * FRAME_MS });
      }
    }
  }
}
