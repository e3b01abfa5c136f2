import waveResampler from 'wave-resampler';
import { SAMPLE_RATE, type Pcm16 } from './pcm16.js';

/**
 * Turns decoded audio (one float array per channel, samples in [-1, 1]) into PCM16 24 kHz
 * mono: channels are averaged, other sample rates are resampled, samples are scaled by 32768,
 * rounded and clamped.
 *
 * Resampling uses windowed-sinc interpolation with a zero-phase low-pass filter (at the lower
 * of the two Nyquist frequencies), so downsampling does not alias and upsampling does not
 * image. The output has exactly `round(frames × 24000 / sampleRate)` samples.
 *
 * Scaling by 32768 is the inverse of a symmetric 16-bit decode (`k / 32768`), so 24 kHz mono
 * PCM16 input comes back sample for sample.
 */
export function convertToPcm16(
  channelData: readonly (Float32Array | Float64Array)[],
  sampleRate: number,
): Pcm16 {
  const first = channelData[0];
  if (first === undefined) return new Int16Array(0);
  let mono: Float32Array | Float64Array = first;
  if (channelData.length > 1) {
    const mixed = new Float64Array(first.length);
    for (const channel of channelData) {
      for (let i = 0; i < mixed.length; i++) mixed[i]! += channel[i] ?? 0;
    }
    for (let i = 0; i < mixed.length; i++) mixed[i]! /= channelData.length;
    mono = mixed;
  }
  if (sampleRate !== SAMPLE_RATE) {
    mono = resampleTo24k(mono, sampleRate);
  }
  return quantize(mono);
}

function resampleTo24k(samples: Float32Array | Float64Array, sampleRate: number): Float64Array {
  const target = Math.round((samples.length * SAMPLE_RATE) / sampleRate);
  // wave-resampler filters its input in place when downsampling: give it a copy.
  const input = Float64Array.from(samples);
  const out = waveResampler.resample(input, sampleRate, SAMPLE_RATE, { method: 'sinc', LPF: true });
  // Its output length is floor(n × ratio) in floating point: fix it to the rounded count.
  const fixed = new Float64Array(target);
  for (let i = 0; i < target; i++) fixed[i] = out[Math.min(i, out.length - 1)] ?? 0;
  return fixed;
}

function quantize(samples: Float32Array | Float64Array): Pcm16 {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round((samples[i] ?? 0) * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}
