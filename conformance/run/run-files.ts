import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BYTES_PER_MS } from '../../protocol/audio/index.js';
import type { RunResult } from '../results/result-schema.js';
import type { Verdict } from '../rules/rule.js';
import type { Trace, TraceFrame } from '../trace/trace.js';
import type { ScenarioRun } from './run-scenario.js';
import { round } from './run-tally.js';

/**
 * The write step: a run folder holds `index.json` (the result model) and one JSON per scenario
 * run under `scenarios/`, every time relative to the run's start.
 */
export async function createRunFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'scenarios'), { recursive: true });
}

/**
 * How a scenario file keeps the audio of its frames (`--audio`): `summary` (the default) keeps
 * each payload as `{ bytes, durationMs, sha256 }`, `full` keeps the base64. Either way a frame's
 * audio is stored once (see {@link storedFrame}).
 */
export type AudioStorage = 'summary' | 'full';

/** What an audio payload is stored as by default: its size, its length, and its fingerprint. */
export interface AudioSummary {
  /** Decoded bytes (PCM16, 24 kHz mono). */
  bytes: number;
  /** `bytes` as ms of audio (48 bytes per ms), one decimal. */
  durationMs: number;
  /** SHA-256 of the decoded bytes, hex. */
  sha256: string;
}

/**
 * Writes one scenario run (`suffix`: an attempt that was run again, e.g. `-starved-1`); returns
 * its path relative to the run folder.
 */
export async function writeScenarioRun(
  dir: string,
  scenario: string,
  run: number,
  outcome: ScenarioRun,
  verdicts: ReadonlyMap<string, Verdict>,
  audio: AudioStorage = 'summary',
  suffix = '',
): Promise<string> {
  const file = join('scenarios', `${scenario}-${run}${suffix}.json`);
  const head = {
    scenario,
    run,
    durationMs: round(outcome.durationMs),
    // Evidence times relative to the run's start, like the trace below.
    verdicts: Object.fromEntries(
      [...verdicts].map(([id, v]) => [
        id,
        {
          ...v,
          evidence: v.evidence.map((e) =>
            e.at === undefined ? e : { ...e, at: round(e.at - outcome.trace.startedAt) },
          ),
        },
      ]),
    ),
    log: outcome.log,
  };
  await writeFile(
    join(dir, file),
    outcome.redactor.json(
      safeStringify({ ...head, trace: relativeTrace(outcome.trace, audio) }, () => ({
        ...head,
        trace: { harnessErrors: outcome.trace.harnessErrors },
      })),
    ),
  );
  return file;
}

/** Writes `index.json`, with the run's secrets (`redactor`) replaced. */
export async function writeRunIndex(
  dir: string,
  result: RunResult,
  redactor?: { json(text: string): string },
): Promise<void> {
  const text = JSON.stringify(result, null, 2);
  await writeFile(join(dir, 'index.json'), redactor ? redactor.json(text) : text);
}

/**
 * JSON of `value`; should it fail all the same (a value nested too deep slipped past the
 * limits), JSON of `fallback()` with the error, so a report is always written.
 */
function safeStringify(value: unknown, fallback: () => Record<string, unknown>): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    return JSON.stringify({ ...fallback(), writeError: (error as Error).message });
  }
}

/**
 * The trace as a scenario file stores it: times relative to the run's start, so it reads
 * from 0, and each frame's audio stored once ({@link storedFrame}).
 */
export function relativeTrace(trace: Trace, audio: AudioStorage = 'summary'): unknown {
  const t0 = trace.startedAt;
  const rel = (at: number | undefined) => (at === undefined ? undefined : round(at - t0));
  return {
    ...trace,
    startedAt: 0,
    endedAt: rel(trace.endedAt),
    connections: trace.connections.map((c) => ({
      ...c,
      openedAt: rel(c.openedAt),
      closedAt: rel(c.closedAt),
      ...(c.pings
        ? { pings: c.pings.map((p) => ({ ...p, at: rel(p.at), pongAt: rel(p.pongAt) })) }
        : {}),
    })),
    frames: trace.frames.map((f) => storedFrame(f, audio, rel(f.at)!)),
    observations: trace.observations.map((o) => ({ ...o, at: rel(o.at) })),
    actions: trace.actions.map((a) => ({ ...a, at: rel(a.at) })),
    ...(trace.stalls
      ? { stalls: trace.stalls.map((s) => ({ from: rel(s.from), to: rel(s.to) })) }
      : {}),
  };
}

/** The field of an event that carries base64 audio, by event type. */
function audioField(type: string): 'audio' | 'delta' | undefined {
  if (type === 'input_audio_buffer.append') return 'audio';
  if (type.endsWith('audio.delta')) return 'delta'; // response.output_audio.delta, response.audio.delta
  return undefined;
}

/**
 * One frame as a scenario file stores it. A frame that carries audio keeps it once: a valid one
 * keeps its parsed `event` (its `text` is that event's JSON) with the payload as an
 * {@link AudioSummary} unless `audio` is `full`; an invalid one keeps its raw `text`, whole, as
 * evidence (its `event` is that text parsed). Other frames are stored as recorded.
 */
export function storedFrame(frame: TraceFrame, audio: AudioStorage, at: number): unknown {
  const event = frame.event as Record<string, unknown> | undefined;
  const field = typeof event?.type === 'string' ? audioField(event.type) : undefined;
  const payload = field ? event![field] : undefined;
  if (typeof payload !== 'string') return { ...frame, at };
  if (!frame.valid) {
    const { event: _parsed, ...raw } = frame;
    return { ...raw, at };
  }
  const { text: _text, ...parsed } = frame;
  return {
    ...parsed,
    at,
    event: audio === 'full' ? event : { ...event, [field!]: audioSummary(payload) },
  };
}

/** Size, length and SHA-256 of a base64 audio payload. */
export function audioSummary(base64: string): AudioSummary {
  const bytes = Buffer.from(base64, 'base64');
  return {
    bytes: bytes.length,
    durationMs: round(bytes.length / BYTES_PER_MS),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
