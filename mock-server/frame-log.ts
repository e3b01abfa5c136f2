import type { Writable } from 'node:stream';
import { MAX_JSON_DEPTH, nestingDepth } from '../protocol/json-depth.js';

/** One frame on the wire, as the mock saw it. */
export interface WireFrame {
  /** The session id (`sess_…`). */
  session: string;
  /** `in`: client → server; `out`: server → client. */
  dir: 'in' | 'out';
  /** Clock time (ms) the frame was received or written. */
  at: number;
  /** The frame's text (binary frames: a placeholder). */
  text: string;
  /** The event type when known. */
  type: string | undefined;
  binary?: boolean;
}

const AUDIO_FIELDS: Record<string, string> = {
  'input_audio_buffer.append': 'audio',
  'response.output_audio.delta': 'delta',
};

/** Frames nested deeper than this are logged as raw text, never parsed or re-serialised. */
export const LOG_MAX_DEPTH = MAX_JSON_DEPTH;
/** How much of a frame's raw text the log keeps when it does not log the parsed event. */
export const LOG_RAW_CHARS = 2000;

/**
 * Writes one JSON line per frame: wall time, clock time, session, direction, type, size and
 * the event itself with audio replaced by its byte count. Credentials never reach it (the
 * transport logs connection metadata with keys redacted, see {@link redactKey}).
 *
 * Nothing a client sends can make logging fail: a frame nested deeper than
 * {@link LOG_MAX_DEPTH} (found by a linear scan, before any parse) is logged as the first
 * {@link LOG_RAW_CHARS} characters of its text with `deep: true`, so the log never parses or
 * serialises a value of unbounded depth (a 27 kB frame nested 4 500 deep used to overflow the
 * stack here).
 */
export class FrameLog {
  constructor(private readonly out: Writable) {}

  frame(frame: WireFrame): void {
    const deep = !frame.binary && nestingDepth(frame.text, LOG_MAX_DEPTH) > LOG_MAX_DEPTH;
    const event = deep || frame.binary ? undefined : loggedEvent(frame.text);
    this.write({
      ts: new Date().toISOString(),
      t: round(frame.at),
      session: frame.session,
      dir: frame.dir,
      type: frame.type ?? null,
      size: frame.text.length,
      ...(frame.binary ? { binary: true } : {}),
      ...(deep ? { deep: true } : {}),
      event: event ?? (frame.binary ? null : frame.text.slice(0, deep ? LOG_RAW_CHARS : 200)),
    });
  }

  /** A non-frame line (connection opened, closed, refused). */
  note(session: string, at: number, what: string, detail: Record<string, unknown> = {}): void {
    this.write({ ts: new Date().toISOString(), t: round(at), session, note: what, ...detail });
  }

  private write(line: Record<string, unknown>): void {
    this.out.write(JSON.stringify(line) + '\n');
  }
}

/** The parsed event with audio replaced by its size; undefined when the text is not JSON. */
function loggedEvent(text: string): unknown {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (event && typeof event === 'object' && !Array.isArray(event)) {
    const field = AUDIO_FIELDS[(event as { type?: string }).type ?? ''];
    const value = field ? (event as Record<string, unknown>)[field] : undefined;
    if (field && typeof value === 'string') {
      event = { ...event, [field]: `<${Math.floor((value.length * 3) / 4)} bytes of audio>` };
    }
  }
  return event;
}

/** Keys shorter than this (after their `swaram_` / `swaram_ek_` tag) are shown as `***`. */
export const REDACT_MIN_SECRET_CHARS = 12;

/**
 * The one way a key or token is shown (logs, terminal, connection events): its public tag
 * (`swaram_`, `swaram_ek_`) and, only when the rest is at least
 * {@link REDACT_MIN_SECRET_CHARS} characters long, its last four (`swaram_…ab12`); a shorter
 * key shows nothing of itself (`swaram_***`, `***`), so no short key is ever printed whole.
 */
export function redactKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const tag = key.startsWith('swaram_ek_')
    ? 'swaram_ek_'
    : key.startsWith('swaram_')
      ? 'swaram_'
      : '';
  const secret = key.slice(tag.length);
  return secret.length >= REDACT_MIN_SECRET_CHARS ? `${tag}…${secret.slice(-4)}` : `${tag}***`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
