import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The one place reporters read a scenario run's stored trace (`scenarios/<id>-<run>.json`).
 *
 * The file is parsed as untyped JSON and turned into timeline rows here, and nowhere else, so a
 * change of the trace's shape (frames as `{ valid, event | raw, violations }`, observations as a
 * discriminated union) is a change in this file only. Both the current shape and that one are
 * read: a frame's text is `text` or `raw`, an observation's fields are under `data` or on it.
 * A frame's audio is its base64, or the `{ bytes, durationMs, sha256 }` summary a scenario file
 * keeps by default (run-files.ts); a valid audio frame may come without its `text`.
 */

/** Where a row is drawn on the timeline. */
export type TimelineLane = 'client' | 'server' | 'playback' | 'app' | 'runner' | 'connection';

/** What a row is about, for its colour and for the "audio chunks" filter. */
export type TimelineTag =
  | 'audio'
  | 'speech'
  | 'cancel'
  | 'tool'
  | 'close'
  | 'error'
  | 'invalid'
  | 'session'
  | 'response'
  | 'transcript'
  | 'stop'
  | 'drop'
  | 'other';

/** One thing that happened in a scenario run, on the run's clock (ms from its start). */
export interface TimelineRow {
  /**
   * Stable id inside the run, named after what evidence points at: `f178` is
   * `trace.frames[178]`, `o3` `trace.observations[3]`, `a1` an action, `c1` / `c1x` the opening
   * and the close of connection 1, `s2` the runner's stall `trace.stalls[2]`.
   */
  id: string;
  at: number;
  lane: TimelineLane;
  /** Event type, observation type, action kind, or `open` / `close`. */
  type: string;
  tag: TimelineTag;
  /** One line: what it was (the client's own strings included, as data). */
  label: string;
  /** The full message (audio payloads shortened), at most {@link DETAIL_LIMIT} characters. */
  detail?: string;
  /** Connection number, for frames and connection rows. */
  conn?: number;
  /** Schema violations of an invalid frame, one sentence each. */
  violations?: string[];
  /** For a connection's opening row: how long it stayed open (ms). */
  dur?: number;
}

/** What the HTML report shows of one scenario run besides its verdicts. */
export interface TimelineData {
  /** ms from the run's start to its end: the timeline's axis. */
  endedAt: number;
  rows: TimelineRow[];
  /** The client's stderr lines (adapter log), as recorded. */
  log: string[];
  harnessErrors: string[];
  /** Set when the file could not be read; the report says so instead of a timeline. */
  error?: string;
}

/** Longest `detail` kept per row, so a full suite's report stays a few MB. */
export const DETAIL_LIMIT = 4000;
/** Strings this long made only of base64 characters are audio: shown as their size. */
const BASE64_MIN = 120;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads `<runDir>/<file>` and turns it into timeline rows; never throws. */
export async function readTimeline(runDir: string, file: string): Promise<TimelineData> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(runDir, file), 'utf8'));
  } catch (err) {
    return {
      endedAt: 0,
      rows: [],
      log: [],
      harnessErrors: [],
      error: `cannot read ${file}: ${(err as Error).message}`,
    };
  }
  return timelineOf(json);
}

/** Turns a parsed scenario-run file into timeline rows (sorted by time, stable). */
export function timelineOf(file: unknown): TimelineData {
  const f = record(file);
  const trace = record(f.trace);
  const rows: TimelineRow[] = [];
  array(trace.frames).forEach((x, i) => rows.push(frameRow(record(x), i)));
  array(trace.observations).forEach((x, i) => rows.push(observationRow(record(x), i)));
  array(trace.actions).forEach((x, i) => rows.push(actionRow(record(x), i)));
  for (const x of array(trace.connections)) rows.push(...connectionRows(record(x)));
  array(trace.stalls).forEach((x, i) => {
    const row = stallRow(record(x), i);
    if (row) rows.push(row);
  });
  const order = new Map(rows.map((r, i) => [r, i]));
  rows.sort((a, b) => a.at - b.at || order.get(a)! - order.get(b)!);
  const last = rows.reduce((m, r) => Math.max(m, r.at + (r.dur ?? 0)), 0);
  return {
    endedAt: Math.max(num(trace.endedAt) ?? 0, last),
    rows,
    log: array(f.log).map(String),
    harnessErrors: array(trace.harnessErrors).map(String),
  };
}

/** Stalls of the runner shorter than this are not drawn (they are many, and harmless). */
const STALL_ROW_MIN_MS = 50;

/** A stall of the runner (`trace.stalls`), on its lane: why a timing judgement discounted time. */
function stallRow(s: Record<string, unknown>, i: number): TimelineRow | undefined {
  const from = num(s.from);
  const to = num(s.to);
  if (from === undefined || to === undefined || to - from < STALL_ROW_MIN_MS) return undefined;
  const ms = Math.round(to - from);
  return {
    id: `s${i}`,
    at: from,
    lane: 'runner',
    type: 'stall',
    tag: 'other',
    label: `the runner stalled ${ms} ms (the machine was loaded); timing judgements discount it`,
  };
}

function frameRow(f: Record<string, unknown>, i: number): TimelineRow {
  const dir = f.dir === 'in' ? 'in' : 'out';
  const text = typeof f.text === 'string' ? f.text : typeof f.raw === 'string' ? f.raw : '';
  // An invalid frame may come without its parsed event: parse its text again to name it.
  const event = isObject(f.event) ? f.event : parseEvent(text);
  const violations = array(f.violations).map((v) =>
    isObject(v) ? `${str(v.path) || '/'}: ${str(v.message) || str(v.code)}` : String(v),
  );
  const type = event ? str(event.type) || '?' : f.binary ? 'binary' : 'unparsed';
  const invalid = violations.length > 0 || f.valid === false || !event;
  const tag = invalid && dir === 'in' ? 'invalid' : eventTag(type, event);
  const row: TimelineRow = {
    id: `f${i}`,
    at: num(f.at) ?? 0,
    lane: dir === 'in' ? 'client' : 'server',
    type,
    tag,
    label: event ? eventLabel(type, event) : `${type}: ${clip(text, 120)}`,
    conn: num(f.connection),
  };
  if (tag !== 'audio' || invalid) row.detail = clip(event ? pretty(event) : text, DETAIL_LIMIT);
  if (violations.length) row.violations = violations;
  return row;
}

function observationRow(o: Record<string, unknown>, i: number): TimelineRow {
  const data = isObject(o.data)
    ? o.data
    : Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'at'));
  const type = str(o.type) || str(data.type) || '?';
  const bytes = num(data.bytes) ?? num(data.droppedBytes);
  const ms = bytes !== undefined ? ` ${fmt(bytes / 48)} ms` : '';
  let tag: TimelineTag = 'other';
  let lane: TimelineLane = 'app';
  let label = type;
  switch (type) {
    case 'audio.played':
      [tag, lane, label] = ['audio', 'playback', `played${ms} ${str(data.response_id)}`];
      break;
    case 'playback.stopped':
      [tag, lane] = ['stop', 'playback'];
      label = `playback stopped (${str(data.reason)}), dropped${ms}`;
      break;
    case 'audio.dropped':
      [tag, lane] = ['drop', 'playback'];
      label = `audio dropped (${str(data.reason)})${ms} ${str(data.response_id)}`;
      break;
    case 'transcript':
      tag = 'transcript';
      label = `${str(data.role)}${data.final ? '' : ' (partial)'}: ${clip(str(data.text), 160)}`;
      break;
    case 'tool.invoke':
      tag = 'tool';
      label = `tool.invoke ${str(data.name)}(${clip(str(data.arguments), 120)}) ${str(data.call_id)}`;
      break;
    case 'error':
      tag = 'error';
      label = `error ${str(data.kind)} ${str(data.code)}: ${clip(str(data.message), 160)}`;
      break;
    case 'connection':
      tag = data.state === 'closed' || data.state === 'reconnecting' ? 'close' : 'session';
      label = `connection ${str(data.state)}${data.code !== undefined ? ` ${str(data.code)}` : ''}${data.delayMs !== undefined ? ` in ${str(data.delayMs)} ms` : ''}`;
      break;
    case 'response':
      tag = data.status === 'cancelled' ? 'cancel' : 'response';
      label = `response ${str(data.response_id)} ${str(data.status)}${data.reason ? ` (${str(data.reason)})` : ''}`;
      break;
    default:
      label = `${type} ${clip(compactJson(data, ['type']), 120)}`;
  }
  return {
    id: `o${i}`,
    at: num(o.at) ?? 0,
    lane,
    type,
    tag,
    label,
    ...(tag === 'audio' ? {} : { detail: clip(pretty(data), DETAIL_LIMIT) }),
  };
}

function actionRow(a: Record<string, unknown>, i: number): TimelineRow {
  const kind = str(a.kind) || str(a.type) || '?';
  const data = isObject(a.data) ? a.data : {};
  const tags: Record<string, TimelineTag> = {
    'mic.audio': 'audio',
    interrupt: 'cancel',
    'tool.result': 'tool',
    fault: 'error',
    utterance: 'speech',
    end: 'close',
  };
  let label = `${kind} ${clip(compactJson(data), 140)}`;
  if (kind === 'utterance')
    label = `user utterance ${str(data.turn)} (mic ${str(data.startMs)}–${str(data.endMs)} ms): ${clip(str(data.transcript), 120)}`;
  return {
    id: `a${i}`,
    at: num(a.at) ?? 0,
    lane: 'runner',
    type: kind,
    tag: tags[kind] ?? 'other',
    label,
    ...(kind === 'mic.audio' ? {} : { detail: clip(pretty(data), DETAIL_LIMIT) }),
  };
}

function connectionRows(c: Record<string, unknown>): TimelineRow[] {
  const n = num(c.number) ?? 0;
  const opened = num(c.openedAt) ?? 0;
  const closed = num(c.closedAt);
  const rows: TimelineRow[] = [
    {
      id: `c${n}`,
      at: opened,
      lane: 'connection',
      type: 'open',
      tag: 'session',
      label: `connection ${n} opened ${str(c.session)}`,
      conn: n,
      ...(closed !== undefined ? { dur: Math.max(0, closed - opened) } : {}),
    },
  ];
  if (closed !== undefined)
    rows.push({
      id: `c${n}x`,
      at: closed,
      lane: 'connection',
      type: 'close',
      tag: 'close',
      label: `connection ${n} closed ${c.closeCode ?? 'without a code'}${c.closeReason ? ` "${str(c.closeReason)}"` : ''}${c.closedBy ? ` by ${str(c.closedBy)}` : ''}`,
      conn: n,
    });
  return rows;
}

function eventTag(type: string, event: Record<string, unknown> | undefined): TimelineTag {
  if (type === 'input_audio_buffer.append' || /audio\.delta$/.test(type)) return 'audio';
  if (type.startsWith('input_audio_buffer.speech_')) return 'speech';
  if (
    type === 'response.cancel' ||
    type === 'conversation.item.truncate' ||
    type === 'output_audio_buffer.clear' ||
    type === 'input_audio_buffer.clear'
  )
    return 'cancel';
  if (type === 'error') return 'error';
  if (type.includes('function_call')) return 'tool';
  if (type === 'conversation.item.create' && isObject(event?.item)) {
    const item = event.item;
    if (str(item.type).startsWith('function_call')) return 'tool';
  }
  if (type.includes('output_item') && isObject(event?.item) && event.item.type === 'function_call')
    return 'tool';
  if (type.includes('transcript')) return 'transcript';
  if (type.startsWith('session.')) return 'session';
  if (type.startsWith('response.')) return 'response';
  return 'other';
}

/** A frame's one line: its type and the few fields a reader looks for. */
function eventLabel(type: string, e: Record<string, unknown>): string {
  const audio = e.audio ?? e.delta;
  if (eventTag(type, e) === 'audio' && (typeof audio === 'string' || isObject(audio))) {
    // The payload itself (--audio full), or the summary a scenario file keeps by default.
    const ms =
      typeof audio === 'string'
        ? ((audio.length * 3) / 4 - (audio.match(/=+$/)?.[0].length ?? 0)) / 48
        : num(audio.durationMs);
    const hash = isObject(audio) && typeof audio.sha256 === 'string' ? audio.sha256 : '';
    return `${type} ${ms !== undefined ? fmt(ms) : '?'} ms${hash ? ` sha256 ${hash.slice(0, 8)}` : ''}${e.response_id ? ` ${str(e.response_id)}` : ''}`;
  }
  const parts: string[] = [type];
  const item = isObject(e.item) ? e.item : undefined;
  const error = isObject(e.error) ? e.error : undefined;
  for (const v of [
    e.response_id,
    isObject(e.response) ? e.response.id : undefined,
    isObject(e.response) ? e.response.status : undefined,
    e.item_id,
    item?.type,
    item?.name ?? e.name,
    item?.call_id ?? e.call_id,
    e.audio_start_ms !== undefined ? `at ${str(e.audio_start_ms)} ms` : undefined,
    e.audio_end_ms !== undefined ? `to ${str(e.audio_end_ms)} ms` : undefined,
    error ? `${str(error.code)}: ${str(error.message)}` : undefined,
    e.arguments ?? item?.arguments,
    item?.output,
    e.delta ?? e.transcript ?? e.text,
  ])
    if (v !== undefined && v !== null && v !== '') parts.push(clip(str(v), 120));
  return parts.join(' ');
}

function pretty(v: Record<string, unknown>): string {
  return JSON.stringify(shortenAudio(v), null, 1);
}

function compactJson(v: Record<string, unknown>, omit: string[] = []): string {
  const copy = Object.fromEntries(Object.entries(v).filter(([k]) => !omit.includes(k)));
  return Object.keys(copy).length ? JSON.stringify(shortenAudio(copy)) : '';
}

function shortenAudio(v: unknown): unknown {
  if (typeof v === 'string')
    return v.length >= BASE64_MIN && BASE64.test(v)
      ? `<base64: ${Math.floor((v.length * 3) / 4)} bytes>`
      : v;
  if (Array.isArray(v)) return v.map(shortenAudio);
  if (isObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shortenAudio(x)]));
  return v;
}

function parseEvent(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) && typeof v.type === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function record(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

function array(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
