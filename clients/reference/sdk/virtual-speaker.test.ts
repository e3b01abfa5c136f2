import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import type { PlaybackChunk } from './player.js';
import { VirtualSpeaker, type PlaybackStop, type PlayedAudio } from './virtual-speaker.js';

function setup() {
  const clock = new ManualClock(1000);
  const played: (PlayedAudio & { at: number })[] = [];
  const stops: PlaybackStop[] = [];
  const speaker = new VirtualSpeaker({
    clock,
    onPlayed: (a) => played.push({ ...a, at: clock.now() }),
    onStopped: (s) => stops.push(s),
  });
  return { clock, played, stops, speaker };
}

const chunk = (responseId: string, ms: number, generation = 1): PlaybackChunk => ({
  responseId,
  itemId: `item_${responseId}`,
  generation,
  pcm: new Uint8Array(ms * 48),
});

describe('VirtualSpeaker', () => {
  it('plays chunks back to back at 48 bytes per ms', () => {
    const { clock, played, speaker } = setup();
    speaker.enqueue(chunk('r1', 100));
    speaker.enqueue(chunk('r1', 50));
    expect(speaker.busy).toBe(true);
    clock.advance(99);
    expect(played).toEqual([]);
    clock.advance(1);
    expect(played.map((p) => [p.at, p.pcm.length, p.startedAt])).toEqual([[1100, 4800, 1000]]);
    clock.advance(50);
    expect(played.map((p) => p.at)).toEqual([1100, 1150]);
    expect(speaker.busy).toBe(false);
  });

  it('plays faster at a rate above 1 (a conformance run at --speed 2)', () => {
    const clock = new ManualClock(0);
    const played: number[] = [];
    const speaker = new VirtualSpeaker({
      clock,
      rate: 2,
      onPlayed: () => played.push(clock.now()),
    });
    speaker.enqueue(chunk('r1', 100));
    clock.advance(49);
    expect(played).toEqual([]);
    clock.advance(1);
    expect(played).toEqual([50]);
  });

  it('starts late chunks when they arrive (an underrun)', () => {
    const { clock, played, speaker } = setup();
    speaker.enqueue(chunk('r1', 20));
    clock.advance(50);
    speaker.enqueue(chunk('r1', 20));
    clock.advance(20);
    expect(played.map((p) => [p.startedAt, p.at])).toEqual([
      [1000, 1020],
      [1050, 1070],
    ]);
  });

  it('reports the played part and the dropped bytes when stopped', () => {
    const { clock, played, stops, speaker } = setup();
    speaker.enqueue(chunk('r1', 100));
    speaker.enqueue(chunk('r2', 100));
    clock.advance(30.5);
    speaker.stop('barge-in');
    expect(played.map((p) => p.pcm.length)).toEqual([30.5 * 48]);
    expect(stops).toEqual([
      { reason: 'barge-in', droppedBytes: 9600 - 30.5 * 48, responseIds: ['r1', 'r2'] },
    ]);
    expect(speaker.busy).toBe(false);
    clock.advance(1000);
    expect(played).toHaveLength(1);
    speaker.stop('barge-in');
    expect(stops).toHaveLength(1);
  });

  it('drops one response and plays on', () => {
    const { clock, played, stops, speaker } = setup();
    speaker.enqueue(chunk('r1', 10));
    speaker.enqueue(chunk('r2', 10));
    speaker.enqueue(chunk('r1', 10));
    speaker.enqueue(chunk('r1', 10, 2));
    speaker.dropResponse('r1', 1, 'cancelled');
    expect(stops).toEqual([{ reason: 'cancelled', droppedBytes: 960, responseIds: ['r1'] }]);
    clock.advance(100);
    expect(played.map((p) => [p.responseId, p.startedAt])).toEqual([
      ['r2', 1000],
      ['r1', 1010],
    ]);
  });

  it('keeps exact time when timers are on time', () => {
    const { clock, played, speaker } = setup();
    for (let i = 0; i < 10; i++) speaker.enqueue(chunk('r1', 20));
    clock.advance(205);
    expect(played.map((p) => p.startedAt)).toEqual([
      1000, 1020, 1040, 1060, 1080, 1100, 1120, 1140, 1160, 1180,
    ]);
  });

  it('never overlaps chunks when a timer fires late: what follows is delayed', () => {
    const manual = new ManualClock(0);
    const lateness = 7;
    const lateClock = {
      now: () => manual.now(),
      setTimeout: (fn: () => void, ms: number) => manual.setTimeout(fn, ms + lateness),
      clearTimeout: (h: unknown) => manual.clearTimeout(h),
    };
    const reports: { at: number; bytes: number }[] = [];
    const speaker = new VirtualSpeaker({
      clock: lateClock,
      onPlayed: (a) => reports.push({ at: manual.now(), bytes: a.pcm.length }),
    });
    speaker.enqueue(chunk('r1', 100));
    speaker.enqueue(chunk('r1', 100));
    manual.advance(300);
    // Placed as [report − duration, report]: [7, 107], then [114, 214]: delayed, not overlapping.
    expect(reports).toEqual([
      { at: 107, bytes: 4800 },
      { at: 214, bytes: 4800 },
    ]);
  });

  it('plays to the very end when a timer fires early', () => {
    const manual = new ManualClock(0);
    const earlyClock = {
      now: () => manual.now(),
      setTimeout: (fn: () => void, ms: number) => manual.setTimeout(fn, Math.max(0, ms - 0.5)),
      clearTimeout: (h: unknown) => manual.clearTimeout(h),
    };
    const reports: number[] = [];
    const speaker = new VirtualSpeaker({
      clock: earlyClock,
      onPlayed: () => reports.push(manual.now()),
    });
    speaker.enqueue(chunk('r1', 10));
    manual.advance(9.6);
    expect(reports).toEqual([]);
    manual.advance(0.9);
    expect(reports).toEqual([10]);
  });
});
