import type {
  ClientEvent,
  ClientEventOf,
  ClientEventType,
  ServerEvent,
  ServerEventOf,
  ServerEventType,
} from '../protocol/events.js';
import type { ConnectionEvent, SessionInfo, SessionSummary } from './mock-server.js';
import { decodedBase64Length } from '../protocol/audio/strict-base64.js';
import { redactKey, type WireFrame } from './frame-log.js';
import type { Mode, SessionStats } from './session.js';

/** Bounds of the {@link Journal}; both have defaults. */
export interface JournalOptions {
  /** Frames kept per session (the oldest go first). Default 1000. */
  maxFramesPerSession?: number;
  /** Closed sessions kept, with their frames (the oldest go first). Default 50. */
  maxClosedSessions?: number;
  /**
   * Frames kept over all sessions, about: with many sessions each keeps its share
   * (`maxFramesTotal / sessions`, at least {@link MIN_FRAMES_PER_SESSION}) rather than
   * `maxFramesPerSession`, so memory stays bounded however many sessions connect. Default
   * 200 000 (about 130 MB at the ~650 B a kept frame costs).
   */
  maxFramesTotal?: number;
}

/** Frames a session keeps however many sessions share the journal's total. */
export const MIN_FRAMES_PER_SESSION = 50;

/** Picks frames out of the journal; every field narrows, none is required. */
export interface FrameFilter {
  /** A session id (`sess_…`). */
  session?: string;
  /** An event type, e.g. `session.updated`. */
  type?: string;
  /** `in`: client → server; `out`: server → client. */
  dir?: 'in' | 'out';
}

/**
 * One frame as the journal keeps it: the event parsed, audio replaced by
 * `"<N bytes of audio>"`, and anything shaped like a swaram key redacted (`swaram_…ab12`).
 */
export interface JournalFrame<E = ServerEvent | ClientEvent | Record<string, unknown>> {
  /** Position in the whole journal, from 1; later frames have larger numbers. */
  seq: number;
  session: string;
  dir: 'in' | 'out';
  /** Clock time (ms) the frame was received or written. */
  at: number;
  /** The event type, when the frame had one. */
  type: string | undefined;
  /** The parsed event; `undefined` for binary frames and text that is not JSON. */
  event: E | undefined;
  /** The frame's text (redacted as above) when it is not a JSON object. */
  text?: string;
  binary?: boolean;
}

/** A session as `GET /sessions` and `server.journalSessions()` show it. */
export interface SessionRecord {
  id: string;
  /** 1-based connection number on this server. */
  number: number;
  /** Unset for a connection refused at connect. */
  model?: string;
  mode?: Mode;
  state: 'live' | 'closed';
  openedAt: number;
  closedAt?: number;
  closeCode?: number;
  closeReason?: string;
  closedBy?: 'server' | 'client';
  /** Present when the connection was refused at connect (key redacted). */
  refused?: { key: string | undefined };
  /** Frames seen each way (all of them, not only those still kept). */
  frames: { in: number; out: number; dropped: number };
  /** The session's counters (turns, responses, …) when it was admitted. */
  stats?: SessionStats;
}

/** What `waitFor` resolves with, typed by the event type where the protocol knows it. */
export type WaitedFrame<T extends string> = T extends ServerEventType
  ? JournalFrame<ServerEventOf<T>>
  : T extends ClientEventType
    ? JournalFrame<ClientEventOf<T>>
    : JournalFrame;

/** Options of `waitFor`. */
export interface WaitForOptions {
  session?: string;
  dir?: 'in' | 'out';
  /** Reject after this long (real time). Default 5000 ms. */
  timeoutMs?: number;
  /** Only frames with a larger `seq` count (pass the last frame's `seq` to wait for the next). */
  after?: number;
}

interface Entry {
  record: SessionRecord;
  frames: StoredFrame[];
}

interface StoredFrame {
  seq: number;
  wire: WireFrame;
  parsed?: JournalFrame;
}

interface Waiter {
  matches(frame: JournalFrame): boolean;
  resolve(frame: JournalFrame): void;
}

const AUDIO_FIELD: Record<string, string> = {
  'input_audio_buffer.append': 'audio',
  'response.output_audio.delta': 'delta',
};
const KEY_PATTERN = /swaram_(?:ek_)?[A-Za-z0-9_-]{4,}/g;

/**
 * The mock's memory of what went over the wire, per session, bounded: at most
 * `maxFramesPerSession` frames per session (audio stripped at once, so a frame costs its
 * JSON without the audio), fewer when many sessions share `maxFramesTotal`, and
 * `maxClosedSessions` closed sessions. Feeds `GET /sessions`,
 * `GET /sessions/:id/frames`, `server.frames()` and `server.waitFor()`.
 */
export class Journal {
  private readonly entries = new Map<string, Entry>();
  private readonly waiters = new Set<Waiter>();
  private readonly maxFrames: number;
  private readonly maxClosed: number;
  private readonly maxTotal: number;
  private seq = 0;

  constructor(options: JournalOptions = {}) {
    this.maxFrames = Math.max(1, options.maxFramesPerSession ?? 1000);
    this.maxClosed = Math.max(0, options.maxClosedSessions ?? 50);
    this.maxTotal = Math.max(1, options.maxFramesTotal ?? 200_000);
  }

  /** Frames one session may keep now: its share of the total, within the per-session bound. */
  private get framesPerSession(): number {
    const share = Math.floor(this.maxTotal / Math.max(1, this.entries.size));
    return Math.min(this.maxFrames, Math.max(MIN_FRAMES_PER_SESSION, share));
  }

  /** A connection opened or closed (the server's `onConnection`). */
  connection(event: ConnectionEvent): void {
    if (event.kind === 'opened') {
      this.entryOf(event.session, event.number, event.at);
      return;
    }
    const entry = this.entryOf(event.session, event.number, event.at);
    Object.assign(entry.record, {
      state: 'closed',
      closedAt: event.at,
      closeCode: event.code,
      closeReason: event.reason,
      closedBy: event.closedBy,
      ...(event.refused ? { refused: event.refused } : {}),
    });
    this.trimClosed();
  }

  /** A session was admitted (its model, mode and live counters). */
  admitted(info: SessionInfo): void {
    const entry = this.entries.get(info.id);
    if (!entry || entry.record.model !== undefined) return;
    Object.assign(entry.record, { model: info.model, mode: info.mode, stats: info.stats });
  }

  /** A session ended (the server's `onSessionEnd`): keeps its final counters. */
  ended(summary: SessionSummary): void {
    const entry = this.entries.get(summary.id);
    if (entry) {
      Object.assign(entry.record, { model: summary.model, mode: summary.mode });
      entry.record.stats = { ...summary.stats };
    }
  }

  /** One frame either way (the server's `onFrame`). */
  frame(wire: WireFrame): void {
    const entry = this.entryOf(wire.session, 0, wire.at);
    entry.record.frames[wire.dir] += 1;
    const field = wire.type ? AUDIO_FIELD[wire.type] : undefined;
    const stored: StoredFrame = {
      seq: ++this.seq,
      wire: field ? { ...wire, text: stripAudio(wire.text, field) } : wire,
    };
    entry.frames.push(stored);
    const keep = this.framesPerSession;
    if (entry.frames.length > keep) {
      const drop = entry.frames.length - keep;
      if (drop === 1) entry.frames.shift();
      else entry.frames.splice(0, drop);
      entry.record.frames.dropped += drop;
    }
    if (this.waiters.size === 0) return;
    const view = viewOf(stored);
    for (const w of [...this.waiters]) {
      if (w.matches(view)) {
        this.waiters.delete(w);
        w.resolve(view);
      }
    }
  }

  /** The sessions kept, oldest first. */
  sessions(): SessionRecord[] {
    return [...this.entries.values()].map((e) => ({
      ...e.record,
      frames: { ...e.record.frames },
      ...(e.record.stats ? { stats: { ...e.record.stats } } : {}),
    }));
  }

  /** Whether the journal knows this session. */
  has(session: string): boolean {
    return this.entries.has(session);
  }

  /** The frames kept that match `filter`, in order. */
  frames(filter: FrameFilter = {}): JournalFrame[] {
    const entries =
      filter.session !== undefined
        ? [this.entries.get(filter.session)].filter((e) => e !== undefined)
        : [...this.entries.values()];
    const out: JournalFrame[] = [];
    for (const e of entries) {
      for (const f of e.frames) {
        if (filter.dir !== undefined && f.wire.dir !== filter.dir) continue;
        if (filter.type !== undefined && f.wire.type !== filter.type) continue;
        out.push(viewOf(f));
      }
    }
    return filter.session !== undefined ? out : out.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The first frame of `type` (after `options.after`) already kept, else the next one to come.
   * Rejects after `timeoutMs` naming what it waited for.
   */
  waitFor<T extends string>(type: T, options: WaitForOptions = {}): Promise<WaitedFrame<T>> {
    const after = options.after ?? 0;
    const matches = (f: JournalFrame) =>
      f.type === type &&
      f.seq > after &&
      (options.session === undefined || f.session === options.session) &&
      (options.dir === undefined || f.dir === options.dir);
    const kept = this.frames({
      type,
      ...(options.session !== undefined ? { session: options.session } : {}),
    }).find(matches);
    if (kept) return Promise.resolve(kept as WaitedFrame<T>);
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame as WaitedFrame<T>);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const where = options.session ? ` in ${options.session}` : '';
        reject(new Error(`waitFor: no ${type} frame${where} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * Forgets closed sessions and the frames of live ones (their counts restart at 0); live
   * sessions stay listed. Pending `waitFor` calls keep waiting.
   */
  reset(): void {
    for (const [id, e] of this.entries) {
      if (e.record.state === 'closed') this.entries.delete(id);
      else {
        e.frames = [];
        e.record.frames = { in: 0, out: 0, dropped: 0 };
      }
    }
  }

  private entryOf(session: string, number: number, at: number): Entry {
    let entry = this.entries.get(session);
    if (!entry) {
      entry = {
        record: { id: session, number, state: 'live', openedAt: at, frames: emptyCounts() },
        frames: [],
      };
      this.entries.set(session, entry);
    }
    return entry;
  }

  private trimClosed(): void {
    let closed = 0;
    for (const e of this.entries.values()) if (e.record.state === 'closed') closed += 1;
    for (const [id, e] of this.entries) {
      if (closed <= this.maxClosed) break;
      if (e.record.state === 'closed') {
        this.entries.delete(id);
        closed -= 1;
      }
    }
  }
}

function emptyCounts(): SessionRecord['frames'] {
  return { in: 0, out: 0, dropped: 0 };
}

/**
 * Replaces the base64 audio of an append or a delta by its byte count, without a parse or a
 * regular expression (base64 holds no `"`: the value ends at the next one; a scan of the
 * audio with a character class cost the mock more than any other step under load). The result
 * is copied out: V8 builds it from slices of the original, which would keep every frame's
 * audio alive in the journal (about 5 KB a frame, 1000 frames a session).
 */
function stripAudio(text: string, field: string): string {
  const name = text.indexOf(`"${field}"`);
  if (name < 0) return text;
  let at = name + field.length + 2;
  while (at < text.length && text.charCodeAt(at) !== 34 /* " */) {
    const c = text[at];
    if (c !== ':' && c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return text;
    at += 1;
  }
  const end = text.indexOf('"', at + 1);
  // An escaped quote: not audio (base64 has no backslash); keep the frame as it came.
  if (end < 0 || text.charCodeAt(end - 1) === 92) return text;
  const bytes = decodedBase64Length(text.slice(at + 1, end));
  const stripped = `${text.slice(0, name)}"${field}":"<${bytes} bytes of audio>"${text.slice(end + 1)}`;
  return Buffer.from(stripped, 'utf8').toString('utf8');
}

/** The public view of a stored frame, parsed once and cached. */
function viewOf(stored: StoredFrame): JournalFrame {
  if (stored.parsed) return stored.parsed;
  const { wire } = stored;
  const text = wire.text.replace(KEY_PATTERN, (key) => redactKey(key) ?? '');
  let event: Record<string, unknown> | undefined;
  if (!wire.binary) {
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        event = value as Record<string, unknown>;
      }
    } catch {
      event = undefined;
    }
  }
  stored.parsed = {
    seq: stored.seq,
    session: wire.session,
    dir: wire.dir,
    at: wire.at,
    type: wire.type,
    event,
    ...(event === undefined ? { text: text.slice(0, 2000) } : {}),
    ...(wire.binary ? { binary: true } : {}),
  };
  return stored.parsed;
}
