import { describe, expect, it } from 'vitest';
import { EnergyVad, type VadEvent } from './vad.js';

const RATE = 24_000;

/** Silence and 440 Hz tone segments, [kind, ms] in order. */
function signal(...parts: Array<['tone' | 'silence', number, number?]>): Int16Array {
  const total = parts.reduce((n, [, ms]) => n + (ms * RATE) / 1000, 0);
  const out = new Int16Array(total);
  let i = 0;
  for (const [kind, ms, amplitude = 8000] of parts) {
    const n = (ms * RATE) / 1000;
    for (let k = 0; k < n; k++, i++) {
      out[i] =
        kind === 'tone' ? Math.round(amplitude * Math.sin((2 * Math.PI * 440 * k) / RATE)) : 0;
    }
  }
  return out;
}

function feed(vad: EnergyVad, pcm: Int16Array, chunkSamples: number): VadEvent[] {
  const events: VadEvent[] = [];
  for (let i = 0; i < pcm.length; i += chunkSamples) {
    events.push(...vad.push(pcm.subarray(i, i + chunkSamples)));
  }
  return events;
}

describe('EnergyVad', () => {
  it('reports one utterance with OpenAI-style start (with prefix padding) and end (with silence) times', () => {
    const vad = new EnergyVad();
    const events = feed(vad, signal(['silence', 1000], ['tone', 800], ['silence', 1000]), 2400);
    expect(events).toEqual([
      { type: 'speech_started', audioStartMs: 700 },
      { type: 'speech_stopped', audioEndMs: 1800 + 500 },
    ]);
    expect(vad.audioMs).toBe(2800);
  });

  it('does not depend on how the audio is chunked (odd sample counts included)', () => {
    const pcm = signal(
      ['silence', 400],
      ['tone', 600],
      ['silence', 700],
      ['tone', 300],
      ['silence', 600],
    );
    const reference = feed(new EnergyVad(), pcm, 240);
    expect(reference).toHaveLength(4);
    for (const chunk of [1, 37, 479, 2401, 24_000]) {
      expect(feed(new EnergyVad(), pcm, chunk)).toEqual(reference);
    }
  });

  it('ignores quiet noise below the threshold and blips shorter than minSpeechMs', () => {
    const vad = new EnergyVad({ minSpeechMs: 80 });
    const quiet = signal(['tone', 500, 50], ['silence', 200], ['tone', 50], ['silence', 800]);
    expect(feed(vad, quiet, 480)).toEqual([]);
  });

  it('keeps one turn through pauses shorter than silenceMs', () => {
    const vad = new EnergyVad({ silenceMs: 500 });
    const events = feed(
      vad,
      signal(['tone', 300], ['silence', 400], ['tone', 300], ['silence', 600]),
      480,
    );
    expect(events.map((e) => e.type)).toEqual(['speech_started', 'speech_stopped']);
  });

  it('reset() forgets speech in progress but keeps the audio clock', () => {
    const vad = new EnergyVad();
    feed(vad, signal(['tone', 300]), 480);
    expect(vad.inSpeech).toBe(true);
    vad.reset();
    expect(vad.inSpeech).toBe(false);
    expect(feed(vad, signal(['silence', 1000]), 480)).toEqual([]);
    expect(vad.audioMs).toBe(1300);
  });
});
