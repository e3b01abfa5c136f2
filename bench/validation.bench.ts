import { parseClientEvent, parseServerEvent } from '../protocol/codec.js';
import type { ParseResult } from '../protocol/codec.js';
import type { BenchOptions } from './run.js';
import { formatCount, measure } from './run.js';
import { machineLine, median } from './cli-run.js';

/**
 * How many events per second the codec parses and validates, for realistic traffic, against
 * `JSON.parse` alone on the same frames. The mock validates every frame of every session (the
 * target is 1000 concurrent sessions, each streaming 100 ms chunks: 10 000 client frames/s).
 */
export const description = 'parse + validate events/s vs JSON.parse, client and server mixes';

const CHUNK_BYTES = 4800; // 100 ms of PCM16 at 24 kHz mono

/** 100 ms of a voice-like signal (a few harmonics plus noise), as base64. */
function chunk(seed: number): string {
  const samples = new Int16Array(CHUNK_BYTES / 2);
  let noise = seed * 2654435761;
  for (let i = 0; i < samples.length; i++) {
    noise = (noise * 1103515245 + 12345) >>> 0;
    const t = (seed * samples.length + i) / 24000;
    const voice = 6000 * Math.sin(2 * Math.PI * 180 * t) + 2500 * Math.sin(2 * Math.PI * 540 * t);
    samples[i] = Math.max(-32768, Math.min(32767, Math.round(voice + (noise % 2000) - 1000)));
  }
  return Buffer.from(samples.buffer).toString('base64');
}

/** 100 frames: 94 appends, 2 session.update, 2 response.cancel, 1 item.create, 1 response.create. */
function clientMix(): string[] {
  const frames: string[] = [];
  const sessionUpdate = JSON.stringify({
    type: 'session.update',
    event_id: 'evt_update',
    session: {
      instructions: 'നിങ്ങൾ ഒരു സഹായിയാണ്. ചുരുക്കി മറുപടി പറയുക.',
      voice: 'mal-female',
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Current weather for a city.',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      tool_choice: 'auto',
    },
  });
  for (let i = 0; i < 94; i++) {
    frames.push(
      JSON.stringify({ type: 'input_audio_buffer.append', event_id: `evt_${i}`, audio: chunk(i) }),
    );
  }
  frames.push(sessionUpdate, sessionUpdate);
  frames.push('{"type":"response.cancel"}', '{"type":"response.cancel","event_id":"evt_c"}');
  frames.push(
    JSON.stringify({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_1', output: '{"temperature_c":31}' },
    }),
  );
  frames.push('{"type":"response.create"}');
  return shuffle(frames);
}

/** 100 frames: 80 audio deltas, 14 transcript deltas, 2 created, 2 done, speech and an item. */
function serverMix(): string[] {
  const frames: string[] = [];
  const ids = { response_id: 'resp_1', item_id: 'item_2', output_index: 0, content_index: 0 };
  for (let i = 0; i < 80; i++) {
    frames.push(
      JSON.stringify({
        type: 'response.output_audio.delta',
        event_id: `event_${i}`,
        ...ids,
        delta: chunk(1000 + i),
      }),
    );
  }
  for (let i = 0; i < 14; i++) {
    frames.push(
      JSON.stringify({
        type: 'response.output_audio_transcript.delta',
        event_id: `event_t${i}`,
        ...ids,
        delta: 'തീർച്ചയായും, ',
      }),
    );
  }
  const created = JSON.stringify({
    type: 'response.created',
    event_id: 'event_rc',
    response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] },
  });
  const done = JSON.stringify({
    type: 'response.done',
    event_id: 'event_rd',
    response: {
      id: 'resp_1',
      object: 'realtime.response',
      status: 'completed',
      status_details: null,
      output: [
        {
          id: 'item_2',
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_audio', transcript: 'തീർച്ചയായും, ഞാൻ സഹായിക്കാം.' }],
        },
      ],
      usage: { total_tokens: 310, input_tokens: 120, output_tokens: 190 },
    },
  });
  frames.push(created, created, done, done);
  frames.push(
    JSON.stringify({
      type: 'input_audio_buffer.speech_started',
      event_id: 'event_ss',
      audio_start_ms: 1240,
      item_id: 'item_1',
    }),
    JSON.stringify({
      type: 'conversation.item.created',
      event_id: 'event_ic',
      item: {
        id: 'item_1',
        type: 'message',
        role: 'user',
        content: [{ type: 'input_audio', text: 'നമസ്കാരം, എനിക്ക് സഹായം വേണം' }],
      },
    }),
  );
  return shuffle(frames);
}

/** A fixed permutation, so runs are comparable. */
function shuffle<T>(items: T[]): T[] {
  let state = 42;
  for (let i = items.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

type Parser = (
  frame: string | Uint8Array,
  options?: { strict?: boolean },
) => ParseResult<{
  type: string;
}>;

function assertAllValid(frames: readonly string[], parse: Parser): void {
  for (const frame of frames) {
    const result = parse(frame, { strict: true });
    if (!result.ok) throw new Error(`bench frame is invalid: ${result.violations[0]!.message}`);
  }
}

interface Row {
  readonly label: string;
  /** The row this one is a ratio of (its own baseline: same input form). */
  readonly baseline?: string;
  readonly fn: (i: number) => unknown;
}

/** The rows of one mix: each input form (string, Buffer) against JSON.parse of the same form. */
function rowsOf(frames: readonly string[], parse: Parser): Row[] {
  const n = frames.length;
  const buffers = frames.map((f) => Buffer.from(f));
  const str = 'JSON.parse(string)';
  const buf = 'JSON.parse(Buffer→utf8)';
  return [
    { label: str, fn: (i) => JSON.parse(frames[i % n]!) !== null },
    { label: 'tolerant, string', baseline: str, fn: (i) => parse(frames[i % n]!).ok },
    {
      label: 'strict, string',
      baseline: str,
      fn: (i) => parse(frames[i % n]!, { strict: true }).ok,
    },
    { label: buf, fn: (i) => JSON.parse(buffers[i % n]!.toString('utf8')) !== null },
    { label: 'tolerant, Buffer', baseline: buf, fn: (i) => parse(buffers[i % n]!).ok },
    {
      label: 'strict, Buffer',
      baseline: buf,
      fn: (i) => parse(buffers[i % n]!, { strict: true }).ok,
    },
  ];
}

/**
 * Measures every row `rounds` times, interleaved (row 1, 2, …, then again), so that load from
 * other processes hits every row alike; returns the median events per second of this process's
 * CPU time of each row (time spent waiting for a core on a shared machine is left out).
 */
function medians(
  rows: readonly Row[],
  rounds: number,
  timing: { warmupMs: number; durationMs: number },
): Map<string, number> {
  const samples = new Map<string, number[]>(rows.map((r) => [r.label, []]));
  for (let round = 0; round < rounds; round++) {
    for (const row of rows) samples.get(row.label)!.push(measure(row.fn, timing).perCpuSecond);
  }
  return new Map([...samples].map(([label, xs]) => [label, median(xs)]));
}

/** The ratio the target is stated in (≤ 1.3× of JSON.parse on Buffer frames, issue 13). */
export const TARGET_RATIO = 1.3;

/**
 * Runs the benchmark and prints one table per traffic mix: medians over interleaved rounds,
 * each row as a ratio of JSON.parse of the same input form measured in the same run.
 */
export function run(options: BenchOptions): void {
  const timing = options.quick
    ? { warmupMs: 50, durationMs: 150 }
    : { warmupMs: 300, durationMs: 700 };
  const rounds = options.quick ? 1 : 5;
  const mixes = [
    { name: 'client mix', frames: clientMix(), parse: parseClientEvent as Parser },
    { name: 'server mix', frames: serverMix(), parse: parseServerEvent as Parser },
  ];
  const badAppend = JSON.stringify({
    type: 'input_audio_buffer.append',
    audio: `${chunk(7).slice(0, 3000)}\n${chunk(7).slice(3000)}`,
  });
  console.log(machineLine());
  console.log(
    `events per CPU-second, medians of ${rounds} interleaved round(s) of ${timing.durationMs} ms per row; ` +
      `target: Buffer rows ≤ ×${TARGET_RATIO} of JSON.parse(Buffer→utf8)` +
      (options.quick ? ' (--quick: smoke test, figures are noise)' : ''),
  );
  for (const mix of mixes) {
    assertAllValid(mix.frames, mix.parse);
    const n = mix.frames.length;
    const bytes = mix.frames.reduce((sum, f) => sum + Buffer.byteLength(f), 0) / n;
    const rows = rowsOf(mix.frames, mix.parse);
    const perSecond = medians(rows, rounds, timing);
    console.log(`\n${mix.name}: ${n} frames, ${formatCount(bytes)} bytes/frame on average`);
    for (const row of rows) {
      const rate = perSecond.get(row.label)!;
      const ratio = row.baseline ? perSecond.get(row.baseline)! / rate : 1;
      console.log(
        `  ${row.label.padEnd(26)} ${formatCount(rate).padStart(11)} events/s` +
          `  ${(1e6 / rate).toFixed(2).padStart(6)} µs/event` +
          `  ${((rate * bytes) / 1e6).toFixed(0).padStart(5)} MB/s` +
          (row.baseline ? `  ×${ratio.toFixed(2)} of ${row.baseline}` : '  (baseline)'),
      );
    }
  }

  const failing = measure(() => !parseClientEvent(badAppend).ok, timing);
  console.log(
    `\nfailure path (append with a line break in its base64): ${formatCount(failing.perSecond)} events/s`,
  );
  console.log(
    '\nneed at 1000 sessions: ~10 000 client frames/s (100 ms appends) and ~10 000 server audio' +
      ' deltas/s at real-time pace (more with a speed factor).',
  );
}
