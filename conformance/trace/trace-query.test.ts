import { describe, expect, it } from 'vitest';
import { traceBuilder } from '../testing/trace-builder.js';
import type { Trace } from './trace.js';
import {
  harnessStalls,
  perFinishedTrace,
  playedBytesBy,
  playedChunks,
  stallWithin,
  wireEvents,
} from './trace-query.js';

describe('playedChunks', () => {
  it('places chunks on the clock in real time at speed 1', () => {
    const t = traceBuilder().handshake().at(1000).played('r1', 100).build();
    const [c] = playedChunks(t);
    expect(c).toMatchObject({ end: 1000, start: 900, ms: 100, wallMs: 100 });
    expect(playedBytesBy([c!], 'r1', 950)).toBe(2400);
  });

  it('shortens them by the run speed (the virtual speaker plays at that speed too)', () => {
    const t = traceBuilder({ speed: 2 }).handshake().at(1000).played('r1', 100).build();
    const [c] = playedChunks(t);
    expect(c).toMatchObject({ end: 1000, start: 950, ms: 100, wallMs: 50 });
    expect(playedBytesBy([c!], 'r1', 975)).toBe(2400);
  });
});

describe('harnessStalls', () => {
  it('finds nothing in well-paced deltas and reports', () => {
    const b = traceBuilder().handshake().responseCreated('r1');
    for (let i = 0; i < 5; i++) b.delta('r1', 100).wait(100).played('r1', 100);
    expect(harnessStalls(b.build())).toEqual([]);
  });

  it('measures how late a bunch was stamped', () => {
    const b = traceBuilder().handshake().responseCreated('r1');
    b.delta('r1', 100).wait(100).delta('r1', 100).wait(400);
    b.delta('r1', 100).wait(1).delta('r1', 100).wait(1).delta('r1', 100);
    const stalls = harnessStalls(b.build());
    expect(stalls).toEqual([{ at: 500, lateMs: 300 }]); // 400 ms pause − 100 ms pacing
    expect(stallWithin(stalls, 400, 600)).toBe(300);
    expect(stallWithin(stalls, 0, 150)).toBe(0);
  });

  it("includes the runner's measured stalls", () => {
    const t = traceBuilder().handshake().at(900).stalled(250).build();
    expect(harnessStalls(t)).toEqual([{ at: 900, lateMs: 250 }]);
  });
});

describe('stallWithin', () => {
  const stalls = [
    { at: 300, lateMs: 100 }, // [200, 300]
    { at: 350, lateMs: 100 }, // [250, 350], overlaps the first
    { at: 700, lateMs: 200 }, // [500, 700]
  ];

  it('counts the time stalls cover in the window, overlapping ones once', () => {
    expect(stallWithin(stalls, 0, 1000)).toBe(150 + 200);
    expect(stallWithin(stalls, 600, 650)).toBe(50);
  });

  it('counts a stall whose evidence came just after the window', () => {
    // The runner caught up at 700, after the window closed at 650.
    expect(stallWithin(stalls, 400, 650)).toBe(150);
  });

  it('counts the whole lateness of a stall stamped inside the window', () => {
    expect(stallWithin([{ at: 450, lateMs: 300 }], 400, 500)).toBe(300);
    expect(stallWithin(stalls, 800, 900)).toBe(0);
  });
});

describe('wireEvents by type', () => {
  it('finds the frames of a type as the trace grows (the index extends)', () => {
    const t = traceBuilder().handshake().responseCreated('r1').delta('r1', 100).build();
    expect(wireEvents(t, 'out', 'response.output_audio.delta')).toHaveLength(1);
    const more = traceBuilder().handshake().responseCreated('r2').delta('r2', 100).delta('r2', 100);
    t.frames.push(...more.build().frames.filter((f) => f.event?.type !== 'session.created'));
    const deltas = wireEvents(t, 'out', 'response.output_audio.delta');
    expect(deltas.map((d) => d.index)).toEqual(
      t.frames.flatMap((f, i) => (f.event?.type === 'response.output_audio.delta' ? [i] : [])),
    );
    // Several types: in trace order, as a scan would give them.
    const two = wireEvents(t, 'out', ['response.created', 'response.output_audio.delta']);
    expect(two.map((e) => e.index)).toEqual([...two.map((e) => e.index)].sort((a, b) => a - b));
    expect(two).toHaveLength(5);
  });
});

describe('perFinishedTrace', () => {
  it('reads a finished trace once, and again when it changed; a live trace every time', () => {
    let reads = 0;
    const count = perFinishedTrace((trace: Trace, type: string) => {
      reads += 1;
      return trace.frames.filter((f) => f.event?.type === type).length;
    });
    const t = traceBuilder().handshake().responseCreated('r1').wait(100).delta('r1', 100).build();
    expect(t.endedAt).toBeGreaterThan(t.startedAt);
    expect(count(t, 'response.output_audio.delta')).toBe(1);
    expect(count(t, 'response.output_audio.delta')).toBe(1);
    expect(reads).toBe(1);
    expect(count(t, 'response.created')).toBe(1); // other arguments: another entry
    expect(reads).toBe(2);
    t.frames.push(t.frames[t.frames.length - 1]!);
    expect(count(t, 'response.output_audio.delta')).toBe(2);
    expect(reads).toBe(3);
    const live = { ...t, endedAt: t.startedAt };
    count(live, 'response.output_audio.delta');
    count(live, 'response.output_audio.delta');
    expect(reads).toBe(5);
  });
});
