import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bytesToPcm,
  concatPcm,
  encodeWav,
  measureSilence,
  msToSamples,
  samplesToMs,
  silence,
  type Pcm16,
} from '../../protocol/audio/index.js';
import type { Violation } from '../../protocol/codec.js';
import { RECORDED_EVENTS_FILE } from '../../protocol/fixture/check-recorded-events.js';
import type { FixtureReport } from '../../protocol/fixture/fixture-error.js';
import type {
  FixtureManifest,
  FixtureManifestResponse,
} from '../../protocol/fixture/fixture-schema.js';
import { validateFixture } from '../../protocol/fixture/load-fixture.js';
import type { Fault } from '../../protocol/fixture/fault-schema.js';
import type { CapturedFrame, RecordedClose, RecordedSession } from './recorded-session.js';
import { RecorderError, RecorderErrorCode } from './recorder-error.js';

/** Silence kept (or added) before the speech of each user turn, in ms. */
export const RECORDED_LEAD_MS = 250;
/**
 * Silence after the last loud frame of each user turn, in ms: enough for the mock's VAD
 * (500 ms) to end the turn on its own, as the built-in fixtures have it.
 */
export const RECORDED_TRAIL_MS = 800;
/** What counts as speech when trimming and padding user audio (the mock VAD's threshold). */
const SPEECH_DBFS = -45;

/** The file the recorder lists violations in, beside the manifest. */
export const VIOLATIONS_FILE = 'violations.json';

/** Where and when a session was recorded. */
export interface RecordingMeta {
  /** The fixture name (the folder name). */
  readonly name: string;
  /** The upstream as it may be shown: scheme, host, port and path, no credentials or query. */
  readonly upstream: string;
  readonly recordedAt: Date;
}

/** A codec finding in a recorded frame, as `violations.json` and `onViolation` give it. */
export interface RecordedViolation {
  /** Ms since the client connected. */
  readonly atMs: number;
  readonly from: 'client' | 'server';
  /** The event type, when it could be read. */
  readonly type: string | undefined;
  readonly violations: readonly Violation[];
}

/** What the recorder wrote. */
export interface RecordedFixture {
  /** The fixture name (= folder name). */
  readonly name: string;
  /** Absolute path of the fixture folder: serve it with `--fixture <dir>`. */
  readonly dir: string;
  readonly manifestPath: string;
  /** Every file written, relative to `dir`. */
  readonly files: readonly string[];
  readonly manifest: FixtureManifest;
  readonly turns: number;
  readonly responses: number;
  readonly toolCalls: number;
  /** Frames with codec findings (also in `violations.json`). */
  readonly violations: number;
  readonly clientEvents: number;
  readonly serverEvents: number;
  /** How the session ended. */
  readonly close: RecordedClose | undefined;
  /** What the recorder could not carry into the fixture, or changed, in sentences. */
  readonly notes: readonly string[];
  /** `validateFixture` of the folder: `ok`, with warnings only. */
  readonly report: FixtureReport;
}

/** A fixture derived from a recorded session, not yet written. */
export interface BuiltFixture {
  /** Undefined when the session has nothing to replay (no user turn with a reply). */
  readonly manifest: FixtureManifest | undefined;
  /** WAV file name → samples. */
  readonly wavs: ReadonlyMap<string, Pcm16>;
  readonly notes: readonly string[];
  readonly responses: number;
  readonly toolCalls: number;
}

interface UserDraft {
  readonly itemId: string;
  /** `audio_start_ms` of speech_started. */
  startMs?: number;
  /** `audio_end_ms` of speech_stopped. */
  endMs?: number;
  /** Client audio (samples) when the turn ended without speech_stopped (a commit). */
  endSample?: number;
  ended: boolean;
  transcript?: string;
  itemText?: string;
  readonly responses: ResponseDraft[];
}

interface ResponseDraft {
  readonly id: string;
  readonly createdAtMs: number;
  readonly deltas: { atMs: number; bytes: number }[];
  readonly audio: Buffer[];
  firstDeltaAtMs?: number;
  transcript: string;
  toolCall?: { name: string; arguments: Record<string, unknown>; callId: string; atMs: number };
  status?: string;
  reason?: string;
}

/** The drafts a server frame updates, and the helpers that find or start them. */
interface DraftBook {
  users: Map<string, UserDraft>;
  responses: Map<string, ResponseDraft>;
  notes: string[];
  userOf(itemId: string): UserDraft;
  end(u: UserDraft): void;
  responseOf(id: unknown, atMs: number): ResponseDraft | undefined;
  startResponse(id: string, atMs: number): ResponseDraft;
  /** Where the user audio ends now: the last commit, else all audio sent so far. */
  endSampleNow(): number;
}

/** Applies one server frame (its parsed event `e`) to the drafts. */
function applyServerFrame(frame: CapturedFrame, e: Record<string, unknown>, h: DraftBook): void {
  switch (frame.type) {
    case 'input_audio_buffer.speech_started': {
      const u = h.userOf(str(e.item_id) ?? `speech_${h.users.size}`);
      u.startMs = int(e.audio_start_ms);
      break;
    }
    case 'input_audio_buffer.speech_stopped': {
      const u = h.userOf(str(e.item_id) ?? `speech_${h.users.size}`);
      u.endMs = int(e.audio_end_ms);
      h.end(u);
      break;
    }
    case 'conversation.item.created': {
      const item = obj(e.item);
      const id = str(item?.id);
      if (item === undefined || id === undefined || item.role !== 'user') break;
      const u = h.userOf(id);
      u.itemText = contentText(item.content);
      if (!u.ended && u.endMs === undefined) u.endSample = h.endSampleNow();
      h.end(u);
      break;
    }
    case 'conversation.item.input_audio_transcription.completed': {
      const id = str(e.item_id);
      const transcript = str(e.transcript);
      if (id !== undefined && transcript !== undefined) h.userOf(id).transcript = transcript;
      break;
    }
    case 'response.created': {
      const id = str(obj(e.response)?.id) ?? `response_${h.responses.size + 1}`;
      if (!h.responses.has(id)) h.startResponse(id, frame.atMs);
      break;
    }
    case 'response.output_audio.delta': {
      const r = h.responseOf(e.response_id, frame.atMs);
      if (!r || !frame.audio || frame.audio.length < 2) break;
      r.firstDeltaAtMs ??= frame.atMs;
      r.deltas.push({ atMs: round(frame.atMs - r.createdAtMs), bytes: frame.audio.length });
      r.audio.push(frame.audio);
      break;
    }
    case 'response.output_audio_transcript.delta': {
      const r = h.responseOf(e.response_id, frame.atMs);
      const delta = str(e.delta);
      if (r && delta !== undefined) r.transcript += delta;
      break;
    }
    case 'response.function_call_arguments.done': {
      const r = h.responseOf(e.response_id, frame.atMs);
      const name = str(e.name);
      if (!r || name === undefined) break;
      r.toolCall = {
        name,
        arguments: toolArguments(e.arguments, name, h.notes),
        callId: str(e.call_id) ?? '',
        atMs: frame.atMs,
      };
      break;
    }
    case 'response.done': {
      const response = obj(e.response);
      const r = h.responseOf(response?.id, frame.atMs);
      if (!r) break;
      r.status = str(response?.status);
      r.reason = str(obj(response?.status_details)?.reason);
      break;
    }
  }
}

/** The manifest around the built turns: description, model, the close, where it came from. */
function manifestOf(
  session: RecordedSession,
  meta: RecordingMeta,
  turns: FixtureManifest['turns'],
  notes: string[],
  { responseCount, toolCalls }: { responseCount: number; toolCalls: number },
): FixtureManifest {
  const counts = session.counts();
  const violations = session.frames.filter((f) => f.violations.length > 0).length;
  const recordedAt = meta.recordedAt.toISOString();
  const close = session.close;
  const manifest: FixtureManifest = {
    name: meta.name,
    description:
      `Recorded from ${meta.upstream} on ${recordedAt.slice(0, 10)}: ${turns.length} user turn(s), ` +
      `${responseCount} response(s), ${toolCalls} tool call(s).`,
    ...(session.model === 'mal-realtime-simple' || session.model === 'mal-realtime-premium'
      ? { model: session.model }
      : {}),
    turns,
  };
  if (close?.by === 'server') {
    const closing = closeOf(session.frames, close);
    if (closing.expect) manifest.expect = { close: closing.expect };
    if (closing.fault) manifest.faults = [closing.fault];
  }
  manifest.recordedFrom = {
    recorder: 'swaram-mock record',
    upstream: meta.upstream,
    recordedAt,
    ...(session.model !== undefined ? { model: session.model } : {}),
    clientEvents: counts.client,
    serverEvents: counts.server,
    violations,
    events: RECORDED_EVENTS_FILE,
    ...(close ? { close: { by: close.by, code: close.code, reason: close.reason } } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
  return manifest;
}

/** What replaying a session's frames yields: the user's audio and the turns as drafts. */
interface Drafts {
  notes: string[];
  userParts: Buffer[];
  /** When each piece of client audio was sent: [atMs, first sample, end sample]. */
  sent: [number, number, number][];
  /** The user turns, in the order they ended, each with its responses. */
  ended: UserDraft[];
}

/** Replays the recorded frames into drafts of user turns and their responses. */
function collectDrafts(session: RecordedSession): Drafts {
  const notes: string[] = [];
  const userParts: Buffer[] = [];
  /** When each piece of client audio was sent: [atMs, first sample, end sample]. */
  const sent: [number, number, number][] = [];
  let userSamples = 0;
  let commitSample: number | undefined;

  const users = new Map<string, UserDraft>();
  const ended: UserDraft[] = [];
  const responses = new Map<string, ResponseDraft>();
  let current: UserDraft | undefined;
  let orphanResponses = 0;
  let lastResponse: ResponseDraft | undefined;

  const userOf = (itemId: string): UserDraft => {
    let u = users.get(itemId);
    if (!u) users.set(itemId, (u = { itemId, ended: false, responses: [] }));
    return u;
  };
  const end = (u: UserDraft) => {
    if (u.ended) return;
    u.ended = true;
    ended.push(u);
    current = u;
    commitSample = undefined;
  };
  const responseOf = (id: unknown, atMs: number): ResponseDraft | undefined => {
    const known = typeof id === 'string' ? responses.get(id) : undefined;
    if (known) return known;
    if (typeof id !== 'string') return lastResponse;
    notes.push(`response ${id} sent output without response.created; timed from its first event`);
    return startResponse(id, atMs);
  };
  const startResponse = (id: string, atMs: number): ResponseDraft => {
    const r: ResponseDraft = { id, createdAtMs: atMs, deltas: [], audio: [], transcript: '' };
    responses.set(id, r);
    lastResponse = r;
    if (current) current.responses.push(r);
    else orphanResponses += 1;
    return r;
  };

  for (const frame of session.frames) {
    const e = frame.event;
    if (e === undefined) continue;
    if (frame.from === 'client') {
      if (frame.type === 'input_audio_buffer.append' && frame.audio) {
        const n = frame.audio.length / 2;
        sent.push([frame.atMs, userSamples, userSamples + n]);
        userParts.push(frame.audio);
        userSamples += n;
      } else if (frame.type === 'input_audio_buffer.commit') {
        commitSample = userSamples;
      }
      continue;
    }
    applyServerFrame(frame, e, {
      users,
      responses,
      notes,
      userOf,
      end,
      responseOf,
      startResponse,
      endSampleNow: () => commitSample ?? userSamples,
    });
  }
  if (orphanResponses > 0) {
    notes.push(
      `${orphanResponses} response(s) came before any user turn (a response.create nudge?); ` +
        'a fixture replays responses to user speech only, so they are left out',
    );
  }
  return { notes, userParts, sent, ended };
}

/**
 * Turns a recorded session into a fixture: the user's audio cut into turns at the upstream's
 * speech_started / speech_stopped (or commits), each assistant response's audio, transcript,
 * tool call, status and delta timeline, and the close. Pure: writes nothing.
 */
export function buildRecordedFixture(session: RecordedSession, meta: RecordingMeta): BuiltFixture {
  const { notes, userParts, sent, ended } = collectDrafts(session);

  const userPcm = bytesToPcm(Buffer.concat(userParts), 'the recorded user audio');
  const wavs = new Map<string, Pcm16>();
  const turns: FixtureManifest['turns'] = [];
  let previousEnd = 0;
  let previousLast: ResponseDraft | undefined;
  let responseCount = 0;
  let toolCalls = 0;

  ended.forEach((u, index) => {
    const label = `user turn ${index + 1} (item ${u.itemId})`;
    const startSample = clampSample(
      u.startMs !== undefined ? msToSamples(u.startMs) : previousEnd,
      userPcm.length,
    );
    const endSample = clampSample(
      u.endMs !== undefined ? msToSamples(u.endMs) : (u.endSample ?? userPcm.length),
      userPcm.length,
    );
    const leadSample = Math.max(previousEnd, startSample - msToSamples(RECORDED_LEAD_MS), 0);
    previousEnd = Math.max(previousEnd, endSample);

    const kept = keptResponses(u.responses, label, notes);
    if (kept.length === 0) {
      notes.push(`${label} has no reply that can be replayed; left out`);
      return;
    }
    if (endSample <= leadSample) {
      notes.push(`${label} has no audio of its own (the client sent none for it); left out`);
      return;
    }
    const t = turns.length + 1;
    const userFile = `turn${t}-user.wav`;
    // What the client sent after the turn, up to the next turn: real silence to end it with.
    const next = ended[index + 1]?.startMs;
    const afterEnd =
      next === undefined ? userPcm.length : clampSample(msToSamples(next), userPcm.length);
    const spoken = utterance(
      userPcm.subarray(leadSample, endSample),
      userPcm.subarray(endSample, Math.max(endSample, afterEnd)),
      label,
      notes,
    );
    wavs.set(userFile, spoken.pcm);

    let transcript = u.transcript ?? u.itemText;
    if (transcript === undefined || transcript.length === 0) {
      notes.push(`${label} got no transcript from the upstream; a placeholder stands in for it`);
      transcript = '(no transcript was recorded)';
    }
    const user: FixtureManifest['turns'][number]['user'] = { audio: userFile, transcript };
    if (previousLast?.status === 'cancelled' && previousLast.firstDeltaAtMs !== undefined) {
      // When a runner streaming the WAV in real time must start, so that the speech goes out
      // when the client sent it: the time the onset was sent, less the WAV before the onset.
      const onsetSentAt = sentAt(sent, leadSample + msToSamples(spoken.onsetMs - spoken.paddedMs));
      if (onsetSentAt !== undefined) {
        const startAt = onsetSentAt - spoken.onsetMs;
        user.interruptAfterMs = Math.max(0, Math.round(startAt - previousLast.firstDeltaAtMs));
      }
    }

    const out: FixtureManifestResponse[] = kept.map((r, i) => {
      const response: FixtureManifestResponse = {};
      if (r.audio.length > 0) {
        const file = kept.length === 1 ? `turn${t}-response.wav` : `turn${t}-response${i + 1}.wav`;
        wavs.set(file, bytesToPcm(Buffer.concat(r.audio), file));
        response.audio = file;
        if (r.transcript.length > 0) response.transcript = r.transcript;
      } else if (r.transcript.length > 0) {
        notes.push(
          `response ${r.id} streamed a transcript without audio; the transcript is left out`,
        );
      }
      if (r.toolCall) {
        toolCalls += 1;
        response.toolCall = {
          name: r.toolCall.name,
          arguments: r.toolCall.arguments,
          ...(r.toolCall.callId ? { callId: r.toolCall.callId } : {}),
        };
      }
      if (r.status === 'completed' || r.status === 'failed' || r.status === 'incomplete') {
        response.status = r.status;
      } else if (r.status === 'cancelled') {
        notes.push(
          `response ${r.id} was cancelled (${r.reason ?? 'no reason given'}); the fixture keeps the ` +
            'audio sent before the cancel, and replay cancels it again only if the client interrupts',
        );
      } else if (r.status === undefined) {
        notes.push(`response ${r.id} never finished (no response.done); kept as far as it got`);
      }
      response.timing =
        r.deltas.length > 0
          ? { deltas: r.deltas }
          : {
              firstDeltaMs: round(Math.max(0, (r.toolCall?.atMs ?? r.createdAtMs) - r.createdAtMs)),
            };
      return response;
    });
    responseCount += out.length;
    previousLast = kept.at(-1);
    turns.push({ user, responses: out });
  });

  if (turns.length === 0) {
    return { manifest: undefined, wavs, notes, responses: 0, toolCalls: 0 };
  }

  const manifest = manifestOf(session, meta, turns, notes, { responseCount, toolCalls });
  return { manifest, wavs, notes, responses: responseCount, toolCalls };
}

/**
 * Builds, writes and validates a recorded fixture in `dir` (created when missing). Files a
 * previous recording left there are replaced; nothing else in the folder is touched.
 *
 * @throws RecorderError `nothing_to_replay` (after writing `events.jsonl` and
 *   `violations.json`) or `fixture_invalid`.
 */
export async function writeRecordedFixture(
  dir: string,
  session: RecordedSession,
  meta: RecordingMeta,
): Promise<RecordedFixture> {
  const built = buildRecordedFixture(session, meta);
  await mkdir(dir, { recursive: true });
  await removePreviousRecording(dir);
  const files: string[] = [];
  const write = async (file: string, data: string | Uint8Array) => {
    await writeFile(join(dir, file), data);
    files.push(file);
  };
  await write(
    RECORDED_EVENTS_FILE,
    session
      .lines()
      .map((l) => JSON.stringify(l) + '\n')
      .join(''),
  );
  await write(VIOLATIONS_FILE, JSON.stringify(violationsOf(session), null, 2) + '\n');
  if (built.manifest === undefined) {
    throw new RecorderError(
      RecorderErrorCode.NothingToReplay,
      `the session had no user turn with a reply, so there is nothing to replay` +
        (built.notes.length > 0 ? ` (${built.notes.join('; ')})` : '') +
        `; the frames are in ${join(dir, RECORDED_EVENTS_FILE)}`,
      files.map((f) => join(dir, f)),
    );
  }
  for (const [file, pcm] of built.wavs) await write(file, encodeWav(pcm));
  await write('fixture.json', manifestJson(built.manifest));

  const report = await validateFixture(dir);
  if (!report.ok) {
    const errors = report.problems.filter((p) => p.severity === 'error');
    throw new RecorderError(
      RecorderErrorCode.FixtureInvalid,
      `the recorded fixture in ${dir} does not validate (a recorder bug, please report it): ` +
        errors.map((p) => `${p.file}: ${p.message}`).join('; '),
      files.map((f) => join(dir, f)),
      report.problems,
    );
  }
  const counts = session.counts();
  return {
    name: meta.name,
    dir,
    manifestPath: join(dir, 'fixture.json'),
    files,
    manifest: built.manifest,
    turns: built.manifest.turns.length,
    responses: built.responses,
    toolCalls: built.toolCalls,
    violations: session.frames.filter((f) => f.violations.length > 0).length,
    clientEvents: counts.client,
    serverEvents: counts.server,
    close: session.close,
    notes: built.notes,
    report,
  };
}

/** The codec findings of a session, as written to `violations.json`. */
export function violationsOf(session: RecordedSession): {
  total: number;
  violations: RecordedViolation[];
} {
  const violations = session.frames
    .filter((f) => f.violations.length > 0)
    .map((f) => ({
      atMs: round(f.atMs),
      from: f.from,
      type: f.type,
      violations: f.violations,
    }));
  return { total: violations.length, violations };
}

/** Responses of a turn the mock can replay: each next one needs the previous one's tool call. */
function keptResponses(
  responses: readonly ResponseDraft[],
  label: string,
  notes: string[],
): ResponseDraft[] {
  const kept: ResponseDraft[] = [];
  for (const r of responses) {
    if (r.audio.length === 0 && !r.toolCall) {
      notes.push(`response ${r.id} (${label}) has neither audio nor a tool call; left out`);
      continue;
    }
    const previous = kept.at(-1);
    if (previous && !previous.toolCall) {
      notes.push(
        `response ${r.id} (${label}) followed a response without a tool call (a response.create ` +
          'nudge?); a fixture cannot trigger it, so it is left out',
      );
      continue;
    }
    kept.push(r);
  }
  return kept;
}

/**
 * One user utterance as the mock's VAD should hear it: at least {@link RECORDED_LEAD_MS} of
 * silence before the speech and exactly {@link RECORDED_TRAIL_MS} after it. The silence after
 * is the client's own where it sent enough (`after`: its audio following the turn, used only
 * when quiet), else digital silence. Also says where the speech starts in the result.
 */
function utterance(
  pcm: Pcm16,
  after: Pcm16,
  label: string,
  notes: string[],
): { pcm: Pcm16; onsetMs: number; paddedMs: number } {
  const measure = measureSilence(pcm, { thresholdDbfs: SPEECH_DBFS });
  const total = samplesToMs(pcm.length);
  if (measure.leadingMs >= total) {
    notes.push(`${label} is silent to the mock's VAD (nothing above ${SPEECH_DBFS} dBFS)`);
    return { pcm, onsetMs: 0, paddedMs: 0 };
  }
  const speechEnd = pcm.length - msToSamples(measure.trailingMs);
  const trail = msToSamples(RECORDED_TRAIL_MS);
  const body = pcm.subarray(0, Math.min(pcm.length, speechEnd + trail));
  const missing = speechEnd + trail - body.length;
  let extra = after.subarray(0, Math.min(after.length, missing));
  const quiet = measureSilence(extra, { thresholdDbfs: SPEECH_DBFS });
  if (quiet.leadingMs < samplesToMs(extra.length)) extra = extra.subarray(0, 0);
  const padBefore = Math.max(0, RECORDED_LEAD_MS - measure.leadingMs);
  return {
    pcm: concatPcm(silence(padBefore), body, extra, new Int16Array(missing - extra.length)),
    /** Where the speech starts in the WAV. */
    onsetMs: padBefore + measure.leadingMs,
    /** Silence added before the client's audio. */
    paddedMs: padBefore,
  };
}

/** How the server closed, as `expect.close` and a `close` fault that replays it. */
function closeOf(
  frames: readonly CapturedFrame[],
  close: RecordedClose,
): { expect?: { code: number; errorCode?: string }; fault?: Fault } {
  if (close.code === 1005 || close.code < 1000 || close.code > 4999) return {};
  const server = frames.filter((f) => f.from === 'server' && f.type !== undefined);
  let last = server.at(-1);
  let error: { code: string; type?: string; message?: string } | undefined;
  if (last?.type === 'error') {
    const e = obj(last.event?.error);
    const code = str(e?.code);
    if (code !== undefined) {
      error = {
        code,
        ...(str(e?.type) !== undefined ? { type: str(e?.type)! } : {}),
        ...(str(e?.message) !== undefined ? { message: str(e?.message)! } : {}),
      };
    }
    last = server.at(-2);
  }
  const expect = { code: close.code, ...(error ? { errorCode: error.code } : {}) };
  const count = last ? server.filter((f) => f.type === last.type && f.atMs <= last.atMs).length : 0;
  const fault: Fault = {
    id: 'recorded-close',
    when: last ? { on: 'server-event', type: last.type!, count } : { on: 'connect' },
    do:
      close.code === 1006
        ? { action: 'terminate' }
        : {
            action: 'close',
            code: close.code,
            ...(close.reason ? { reason: close.reason } : {}),
            ...(error ? { error } : {}),
          },
  } as Fault;
  return { expect, fault };
}

/** The manifest as JSON, two-space indented, with one line per recorded delta. */
function manifestJson(manifest: FixtureManifest): string {
  return (
    JSON.stringify(manifest, null, 2).replace(
      /\{\n\s*"atMs": ([\d.e+-]+),\n\s*"bytes": (\d+)\n\s*\}/g,
      '{ "atMs": $1, "bytes": $2 }',
    ) + '\n'
  );
}

/** Files a previous recording wrote, so a new one replaces them and nothing else. */
async function removePreviousRecording(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const ours = /^(fixture\.json|events\.jsonl|violations\.json|turn\d+-(user|response\d*)\.wav)$/;
  await Promise.all(
    names.filter((n) => ours.test(n)).map((n) => rm(join(dir, n), { force: true })),
  );
}

/** When the client sent the audio at `sample` (ms since it connected). */
function sentAt(sent: readonly [number, number, number][], sample: number): number | undefined {
  for (const [atMs, , end] of sent) if (sample < end) return atMs;
  return undefined;
}

function toolArguments(raw: unknown, name: string, notes: string[]): Record<string, unknown> {
  if (typeof raw === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // reported below
    }
  }
  notes.push(
    `the arguments of tool call ${name} are not a JSON object; the fixture keeps them as { "raw": … }`,
  );
  return { raw };
}

function contentText(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const parts = content
    .map((c) => {
      const part = obj(c);
      return str(part?.text) ?? str(part?.transcript);
    })
    .filter((t): t is string => t !== undefined && t.length > 0);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function clampSample(sample: number, length: number): number {
  return Math.min(length, Math.max(0, sample));
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
