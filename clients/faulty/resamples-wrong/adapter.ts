/**
 * Bug: the wrong sample rate. Microphone audio is resampled to 16 kHz (the rate of a common
 * speech pipeline) and sent labelled as 24 kHz, so swaram hears the user one and a half times
 * too high and too fast. Breaks APPEND-PACE (the pitch of a sung tone).
 */
import { SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

/** 24 kHz → 16 kHz by linear interpolation, carrying the position across chunks. */
class To16k {
  private position = 0;
  private last = 0;

  convert(pcm: Uint8Array): Uint8Array {
    const input = new Int16Array(
      pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.length & ~1)),
    );
    const out: number[] = [];
    const at = (i: number) => (i < 0 ? this.last : input[i]!);
    for (; this.position < input.length - 1; this.position += 1.5) {
      const i = Math.floor(this.position);
      const f = this.position - i;
      out.push(Math.round(at(i) * (1 - f) + at(i + 1) * f));
    }
    this.position -= input.length;
    this.last = input[input.length - 1] ?? this.last;
    return new Uint8Array(Int16Array.from(out).buffer);
  }
}

class ResamplesWrong extends SwaramClient {
  private readonly resampler = new To16k();

  override appendAudio(pcm: Uint8Array): void {
    super.appendAudio(this.resampler.convert(pcm));
  }
}

runFaultyAdapter('resamples-wrong', (options) => new ResamplesWrong(options));
