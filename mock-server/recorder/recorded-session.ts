import {
  parseClientEvent,
  parseServerEvent,
  pcm16Base64Problem,
  validateClientEvent,
  validateServerEvent,
  type Violation,
} from '../../protocol/codec.js';
import {
  RECORDED_TEXT_LIMIT,
  type RecordedLine,
} from '../../protocol/fixture/check-recorded-events.js';

/** Which side sent a frame. */
export type FrameSource = 'client' | 'server';

/** One frame as the recorder keeps it: audio decoded and taken out of the event. */
export interface CapturedFrame {
  /** Ms since the client's connection reached the recorder. */
  readonly atMs: number;
  readonly from: FrameSource;
  /** The frame as a JSON object, its audio field emptied when that audio was valid. */
  readonly event: Readonly<Record<string, unknown>> | undefined;
  /** `event.type` when it is a string. */
  readonly type: string | undefined;
  /** The decoded audio of an append or an audio delta (an even number of bytes). */
  readonly audio: Buffer | undefined;
  /** The text of a frame that is not a JSON object (cut). */
  readonly text: string | undefined;
  /** Size of a binary frame. */
  readonly binaryBytes: number | undefined;
  /** What the codec (strict schemas) found; empty for a good frame. */
  readonly violations: readonly Violation[];
}

/** How a recorded session ended. */
export interface RecordedClose {
  readonly atMs: number;
  /** The side that closed first; `recorder` when the recorder itself was closed. */
  readonly by: 'client' | 'server' | 'recorder';
  readonly code: number;
  readonly reason: string;
}

const AUDIO_FIELDS: Readonly<Record<string, string>> = {
  'input_audio_buffer.append': 'audio',
  'response.output_audio.delta': 'delta',
};

/** Longest invalid audio string kept in a recorded event (valid audio goes to the WAVs). */
const INVALID_AUDIO_LIMIT = 100;

/**
 * The frames of one session, in arrival order, as the recorder captured them.
 *
 * Every frame is checked with the codec's strict schemas (the findings are kept, never acted
 * on) and passed through `scrub` before anything is kept, so no credential that the session's
 * frames might carry reaches a file.
 */
export class RecordedSession {
  readonly frames: CapturedFrame[] = [];
  close: RecordedClose | undefined;

  constructor(
    /** The `model` query parameter the client connected with, if any. */
    readonly model: string | undefined,
    /** Replaces every credential in a text (see the recorder). */
    private readonly scrub: (text: string) => string,
  ) {}

  /** Keeps one frame (checked, scrubbed, audio taken out) and returns it as kept. */
  capture(from: FrameSource, atMs: number, data: Buffer, isBinary: boolean): CapturedFrame {
    const frame = isBinary
      ? binaryFrame(from, atMs, data.length)
      : textFrame(from, atMs, this.scrub(data.toString('utf8')));
    this.frames.push(frame);
    return frame;
  }

  /** Counts of text frames per side. */
  counts(): { client: number; server: number } {
    let client = 0;
    let server = 0;
    for (const f of this.frames) {
      if (f.binaryBytes !== undefined) continue;
      if (f.from === 'client') client += 1;
      else server += 1;
    }
    return { client, server };
  }

  /** The timeline as the lines of `events.jsonl`. */
  lines(): RecordedLine[] {
    const lines: RecordedLine[] = this.frames.map((f) => ({
      atMs: round(f.atMs),
      from: f.from,
      ...(f.event !== undefined ? { event: f.event } : {}),
      ...(f.audio !== undefined ? { audioBytes: f.audio.length } : {}),
      ...(f.text !== undefined ? { text: f.text } : {}),
      ...(f.binaryBytes !== undefined ? { binaryBytes: f.binaryBytes } : {}),
      ...(f.violations.length > 0 ? { violations: f.violations } : {}),
    }));
    if (this.close) {
      const { atMs, by, code, reason } = this.close;
      lines.push({ atMs: round(atMs), close: { by, code, reason } });
    }
    return lines;
  }
}

function binaryFrame(from: FrameSource, atMs: number, bytes: number): CapturedFrame {
  return {
    atMs,
    from,
    event: undefined,
    type: undefined,
    audio: undefined,
    text: undefined,
    binaryBytes: bytes,
    violations: [
      {
        code: 'invalid_json',
        path: '',
        message: `a binary frame (${bytes} bytes); swaram speaks JSON text frames only`,
      },
    ],
  };
}

/** A text frame kept as text: not JSON, or JSON that is not an event object. */
function unreadFrame(
  from: FrameSource,
  atMs: number,
  text: string,
  violations: CapturedFrame['violations'],
): CapturedFrame {
  return {
    atMs,
    from,
    event: undefined,
    type: undefined,
    audio: undefined,
    text: text.slice(0, RECORDED_TEXT_LIMIT),
    binaryBytes: undefined,
    violations,
  };
}

function textFrame(from: FrameSource, atMs: number, text: string): CapturedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const parsed = from === 'client' ? parseClientEvent(text) : parseServerEvent(text);
    return unreadFrame(from, atMs, text, parsed.ok ? [] : parsed.violations);
  }
  const result =
    from === 'client'
      ? validateClientEvent(value, { strict: true })
      : validateServerEvent(value, { strict: true });
  const violations = result.ok ? [] : result.violations;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return unreadFrame(from, atMs, text, violations);
  }
  let event = value as Record<string, unknown>;
  const type = typeof event.type === 'string' ? event.type : undefined;
  let audio: Buffer | undefined;
  const field = type === undefined ? undefined : AUDIO_FIELDS[type];
  const encoded = field === undefined ? undefined : event[field];
  if (field !== undefined && typeof encoded === 'string') {
    if (pcm16Base64Problem(encoded) === undefined) {
      audio = Buffer.from(encoded, 'base64');
      event = { ...event, [field]: '' };
    } else if (encoded.length > INVALID_AUDIO_LIMIT) {
      event = { ...event, [field]: encoded.slice(0, INVALID_AUDIO_LIMIT) };
    }
  }
  return {
    atMs,
    from,
    event,
    type,
    audio,
    text: undefined,
    binaryBytes: undefined,
    violations,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
