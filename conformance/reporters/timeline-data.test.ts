import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTimeline, timelineOf } from './timeline-data.js';

const runDir = fileURLToPath(new URL('./testdata/payload-run/', import.meta.url));
const file = JSON.parse(readFileSync(join(runDir, 'scenarios/payload-1.json'), 'utf8')) as {
  trace: { frames: Array<Record<string, unknown>>; observations: Array<Record<string, unknown>> };
};

describe('timeline rows', () => {
  const t = timelineOf(file);
  const row = (id: string) => t.rows.find((r) => r.id === id)!;

  it('are named after the trace index evidence uses, and sorted by time', () => {
    expect(row('f9')).toMatchObject({
      type: 'response.function_call_arguments.done',
      tag: 'tool',
      lane: 'server',
      at: 520,
    });
    expect(row('f7')).toMatchObject({ type: 'input_audio_buffer.speech_started', tag: 'speech' });
    expect(row('o4')).toMatchObject({ type: 'tool.invoke', tag: 'tool', lane: 'app' });
    expect(row('o3')).toMatchObject({ type: 'playback.stopped', tag: 'stop', lane: 'playback' });
    expect(row('c1x')).toMatchObject({
      type: 'close',
      label: expect.stringMatching(/^connection 1 closed 1000 "<\/script>/),
    });
    expect(row('c1').dur).toBe(942);
    const times = t.rows.map((r) => r.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(t.rows).toHaveLength(12 + 7 + 4 + 2);
    expect(t.endedAt).toBe(1000);
  });

  it("show the runner's stalls of 50 ms or more on its lane", () => {
    const stalled = {
      ...file,
      trace: {
        ...file.trace,
        stalls: [
          { from: 100, to: 130 },
          { from: 400, to: 640 },
        ],
      },
    };
    const rows = timelineOf(stalled).rows.filter((r) => r.type === 'stall');
    expect(rows).toEqual([
      {
        id: 's1',
        at: 400,
        lane: 'runner',
        type: 'stall',
        tag: 'other',
        label: 'the runner stalled 240 ms (the machine was loaded); timing judgements discount it',
      },
    ]);
  });

  it('shorten audio to its size and keep the client strings as they were', () => {
    expect(row('f3')).toMatchObject({ tag: 'audio', label: 'input_audio_buffer.append 25 ms' });
    expect(row('f3').detail).toBeUndefined();
    expect(JSON.stringify(t.rows)).not.toMatch(/AAAAAAAA/);
    expect(row('f1').detail).toContain(
      '"x_unknown_field": "<img src=x onerror=\\"window.__pwned=1\\">"',
    );
    expect(row('f1').violations).toEqual([
      '/x_unknown_field: unknown field x_unknown_field = <img src=x onerror="window.__pwned=1">',
    ]);
    expect(row('f4')).toMatchObject({ tag: 'invalid', type: 'unparsed' });
    expect(row('f4').label).toContain('</script><script>');
    expect(t.log).toEqual([
      'stderr: </script><script>window.__pwned=1</script>',
      'stderr: <img src=x onerror="window.__pwned=1">',
    ]);
  });

  it('read the typed trace too: frames { valid, event | raw, violations }, flat observations', () => {
    const typed = structuredClone(file);
    typed.trace.frames = typed.trace.frames.map((f) =>
      f.event && !(f.violations as unknown[]).length
        ? { at: f.at, dir: f.dir, connection: f.connection, valid: true, event: f.event }
        : {
            at: f.at,
            dir: f.dir,
            connection: f.connection,
            valid: false,
            raw: f.text,
            violations: f.violations,
          },
    );
    typed.trace.observations = typed.trace.observations.map((o) => ({
      at: o.at,
      ...(o.data as object),
    }));
    const u = timelineOf(typed);
    expect(u.rows.map((r) => [r.id, r.type, r.tag, r.label])).toEqual(
      t.rows.map((r) => [r.id, r.type, r.tag, r.label]),
    );
  });

  it('say why when the file cannot be read', async () => {
    const missing = await readTimeline(runDir, 'scenarios/nope-1.json');
    expect(missing.rows).toEqual([]);
    expect(missing.error).toMatch(/^cannot read scenarios\/nope-1.json: ENOENT/);
    expect((await readTimeline(runDir, 'scenarios/payload-1.json')).rows).toHaveLength(25);
  });
});
