import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pcmToBase64, tone } from '../../protocol/audio/index.js';
import { timelineOf } from '../reporters/timeline-data.js';
import type { TraceFrame } from '../trace/trace.js';
import { audioSummary, relativeTrace, storedFrame } from './run-files.js';

const pcm = tone(440, 100); // 100 ms: 4 800 bytes
const b64 = pcmToBase64(pcm);
const append = { type: 'input_audio_buffer.append', event_id: 'evt_1', audio: b64 } as const;
const delta = {
  type: 'response.output_audio.delta',
  event_id: 'event_1',
  response_id: 'resp_1',
  item_id: 'item_1',
  output_index: 0,
  content_index: 0,
  delta: b64,
} as const;

const frames: TraceFrame[] = [
  {
    at: 110,
    dir: 'in',
    connection: 1,
    text: JSON.stringify(append),
    valid: true,
    event: append,
    violations: [],
  },
  {
    at: 120,
    dir: 'out',
    connection: 1,
    text: JSON.stringify(delta),
    valid: true,
    event: delta,
    violations: [],
  },
  {
    at: 130,
    dir: 'in',
    connection: 1,
    text: JSON.stringify({ ...append, audio: 'AAAA!' }),
    valid: false,
    event: { ...append, audio: 'AAAA!' },
    violations: [{ code: 'invalid_audio', path: '/audio', message: 'not base64' }],
  },
  {
    at: 140,
    dir: 'out',
    connection: 1,
    text: '{"type":"response.done"}',
    valid: false,
    event: { type: 'response.done' },
    violations: [{ code: 'invalid_event', path: '', message: 'response is required' }],
  },
];

describe('scenario files store audio once', () => {
  it('by default as { bytes, durationMs, sha256 } in the parsed event, without the text', () => {
    const stored = storedFrame(frames[1]!, 'summary', 20) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('text');
    expect(stored).toMatchObject({ at: 20, dir: 'out', valid: true, violations: [] });
    expect(stored.event).toEqual({
      ...delta,
      delta: {
        bytes: 4800,
        durationMs: 100,
        sha256: createHash('sha256').update(Buffer.from(pcm.buffer)).digest('hex'),
      },
    });
    expect(audioSummary(b64)).toEqual((stored.event as { delta: unknown }).delta);
  });

  it('with --audio full as the base64 in the event, still without the text', () => {
    const stored = storedFrame(frames[0]!, 'full', 10) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('text');
    expect(stored.event).toEqual(append);
  });

  it('keeps an invalid audio frame as its raw text (the evidence), other frames as recorded', () => {
    const bad = storedFrame(frames[2]!, 'summary', 30) as Record<string, unknown>;
    expect(bad).not.toHaveProperty('event');
    expect(bad.text).toBe(frames[2]!.text);
    expect(bad.violations).toEqual(frames[2]!.violations);
    expect(storedFrame(frames[3]!, 'summary', 40)).toEqual({ ...frames[3], at: 40 });
  });

  it('and the timeline still reads every frame: durations, the summary, the invalid one', () => {
    const trace = {
      scenario: 's',
      startedAt: 100,
      endedAt: 200,
      drive: 'adapter' as const,
      features: [],
      model: 'mal-realtime-simple',
      connections: [],
      frames,
      observations: [],
      actions: [],
      harnessErrors: [],
    };
    const file = JSON.parse(JSON.stringify({ trace: relativeTrace(trace) })) as unknown;
    expect(JSON.stringify(file)).not.toContain(b64.slice(0, 40));
    const rows = timelineOf(file).rows;
    const hash = audioSummary(b64).sha256.slice(0, 8);
    expect(rows.map((r) => [r.id, r.at, r.tag, r.label])).toEqual([
      ['f0', 10, 'audio', `input_audio_buffer.append 100 ms sha256 ${hash}`],
      ['f1', 20, 'audio', `response.output_audio.delta 100 ms sha256 ${hash} resp_1`],
      ['f2', 30, 'invalid', 'input_audio_buffer.append 0.1 ms'],
      ['f3', 40, 'response', 'response.done'],
    ]);
    expect(rows[2]!.violations).toEqual(['/audio: not base64']);
    const full = JSON.parse(JSON.stringify({ trace: relativeTrace(trace, 'full') })) as unknown;
    expect(timelineOf(full).rows[1]!.label).toBe('response.output_audio.delta 100 ms resp_1');
  });
});
