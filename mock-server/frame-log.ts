import type { Writable } from 'node:stream';

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

/**
 * Writes one JSON line per frame: wall time, clock time, session, direction, type, size and
 * the event itself with audio replaced by its byte count. Credentials never reach it (the
 * transport logs connection metadata with keys redacted, see {@link redactKey}).
 */
export class FrameLog {
  constructor(private readonly out: Writable) {}

  frame(frame: WireFrame): void {
    let event: unknown;
    try {
      event = JSON.parse(frame.text);
    } catch {
      event = undefined;
    }
    if (event && typeof event === 'object' && !Array.isArray(event)) {
      const field = AUDIO_FIELDS[(event as { type?: string }).type ?? ''];
      const value = field ? (event as Record<string, unknown>)[field] : undefined;
      if (field && typeof value === 'string') {
        event = { ...event, [field]: `<${Math.floor((value.length * 3) / 4)} bytes of audio>` };
      }
    }
    this.write({
      ts: new Date().toISOString(),
      t: round(frame.at),
      session: frame.session,
      dir: frame.dir,
      type: frame.type ?? null,
      size: frame.text.length,
      ...(frame.binary ? { binary: true } : {}),
      event: event ?? (frame.binary ? null : frame.text.slice(0, 200)),
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

/** Shows a key as its prefix and last four characters: `swaram_…ab12`. */
export function redactKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const prefix = key.startsWith('swaram_ek_')
    ? 'swaram_ek_'
    : key.startsWith('swaram_')
      ? 'swaram_'
      : '';
  return `${prefix}…${key.slice(-4)}`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
