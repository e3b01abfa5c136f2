import { describe, expect, it } from 'vitest';
import { concatPcm, silence, tone } from './make-pcm.js';
import { tonePitchHz } from './pitch.js';

/** A crude resampler: what a client that sends audio at `rate` labelled 24 kHz produces. */
function resampled(pcm: Int16Array, rate: number): Int16Array {
  const out = new Int16Array(Math.floor((pcm.length * rate) / 24_000));
  for (let i = 0; i < out.length; i++) out[i] = pcm[Math.floor((i * 24_000) / rate)]!;
  return out;
}

describe('tonePitchHz', () => {
  it('finds the pitch of a tone between silences', () => {
    const pcm = concatPcm(silence(500), tone(440, 1500), silence(700));
    expect(tonePitchHz(pcm)).toBeCloseTo(440, -1);
  });

  it('sees 16 kHz audio labelled 24 kHz one and a half times higher, 48 kHz half as high', () => {
    const pcm = concatPcm(silence(200), tone(440, 1500), silence(200));
    expect(tonePitchHz(resampled(pcm, 16_000))! / 440).toBeCloseTo(1.5, 1);
    expect(tonePitchHz(resampled(pcm, 48_000))! / 440).toBeCloseTo(0.5, 1);
  });

  it('is undefined for silence', () => {
    expect(tonePitchHz(silence(1000))).toBeUndefined();
  });
});
