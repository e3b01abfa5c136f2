import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Fixture } from '../../protocol/fixture/fixture.js';
import { loadFixture, validateFixture } from '../../protocol/fixture/load-fixture.js';
import { startMockServer, type MockServer } from '../../mock-server/mock-server.js';
import {
  RecorderError,
  startRecorder,
  type RecordedViolation,
  type Recorder,
} from '../../mock-server/recorder/recorder.js';
import { TestClient, type Received } from '../support/test-client.js';

/**
 * Record and replay, end to end: a mock is the "real" upstream, the recorder sits in front of
 * it, a scripted ws client talks through it; then a second mock serves the recorded folder and
 * the same script runs against it. What the client sees must be the same.
 *
 * Timing tolerance (docs/fixtures.md, "Recording a fixture"): at replay speed 1, each audio
 * delta's offset from its response.created, as the client sees it, is within
 * ±max(50 ms, 10 % of the offset) of what the client saw while recording, plus the longest
 * event-loop stall measured during the two runs (a pause of a loaded machine delays a delta
 * without being a pacing error; a replay that ignored the recorded timeline is off by far more).
 */

const KEY = 'swaram_roundtrip_secret_key_7c1e';
const TRANSCRIPTION = 'conversation.item.input_audio_transcription.completed';
const TOOLS = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
];
const ID_FIELDS = new Set([
  'event_id',
  'id',
  'item_id',
  'response_id',
  'call_id',
  'previous_item_id',
]);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swaram-record-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

async function mock(fixture: string | Fixture, speed: number): Promise<MockServer> {
  const server = await startMockServer({ fixture, speed, keys: [KEY] });
  closers.push(() => server.close());
  return server;
}

async function recorder(upstream: string, name: string, extra: { key?: string } = {}) {
  const violations: RecordedViolation[] = [];
  const notices: string[] = [];
  const r = await startRecorder({
    upstream,
    out: join(root, name),
    onViolation: (v) => violations.push(v),
    onNotice: (n) => notices.push(n),
    ...extra,
  });
  closers.push(() => r.close());
  return { recorder: r, violations, notices, dir: join(root, name) };
}

/** What the client saw: the events, and when each arrived (performance.now()). */
interface Seen {
  events: Received[];
  at: number[];
  closeCode: number | undefined;
}

/**
 * The client script, the same for recording and replay: session.update with a tool, then
 * each turn of `script` spoken in full, every tool call answered with its call_id.
 */
async function converse(
  url: string,
  script: Fixture,
  connect: ConnectHow = 'bearer',
): Promise<Seen> {
  const c = await TestClient.connect(url, credentials(connect));
  const at: number[] = [];
  c.ws.on('message', () => {
    at[c.events.length - 1] = performance.now();
  });
  await c.next('session.created');
  c.send({ type: 'session.update', session: { voice: 'mal-female', tools: TOOLS } });
  await c.next('session.updated');
  let done = 0;
  let calls = 0;
  for (const [t, turn] of script.turns.entries()) {
    c.sendAudio(turn.user.pcm);
    for (const response of turn.responses) {
      await c.next('response.done', ++done, 15_000);
      if (response.toolCall) {
        const call = await c.next('response.function_call_arguments.done', ++calls);
        c.send({
          type: 'conversation.item.create',
          item: { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":32}' },
        });
      }
    }
    await c.next(TRANSCRIPTION, t + 1);
  }
  c.close();
  await c.closed();
  return { events: c.events, at, closeCode: c.closeCode };
}

type ConnectHow = 'bearer' | 'query' | 'subprotocol' | 'none';
function credentials(how: ConnectHow): Parameters<typeof TestClient.connect>[1] {
  if (how === 'bearer') return { key: KEY };
  if (how === 'query') return { query: { api_key: KEY } };
  if (how === 'subprotocol') return { protocols: ['realtime', `openai-insecure-api-key.${KEY}`] };
  return {};
}

/**
 * Events with ids replaced by stable names in order of first use (`id:1`, `id:2`, …), so two
 * sessions compare by structure and by which ids refer to which, not by the ids' text.
 */
function canonical(events: readonly Received[]): unknown[] {
  const names = new Map<string, string>();
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string' && key !== undefined && ID_FIELDS.has(key)) {
      if (!names.has(value)) names.set(value, `id:${names.size + 1}`);
      return names.get(value);
    }
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  return events.map((e) => walk(e));
}

/** Per response (in order): its id, created time, and each audio delta's bytes and offset. */
function responses(seen: Seen) {
  const list: {
    id: string;
    audio: Buffer;
    transcript: string;
    offsets: number[];
    bytes: number[];
  }[] = [];
  seen.events.forEach((e, i) => {
    if (e.type === 'response.created') {
      list.push({
        id: (e.response as { id: string }).id,
        audio: Buffer.alloc(0),
        transcript: '',
        offsets: [],
        bytes: [],
      });
      (list.at(-1) as { createdAt?: number }).createdAt = seen.at[i]!;
      return;
    }
    const r = list.find((x) => x.id === e.response_id);
    if (!r) return;
    if (e.type === 'response.output_audio.delta') {
      const bytes = Buffer.from(e.delta as string, 'base64');
      r.audio = Buffer.concat([r.audio, bytes]);
      r.bytes.push(bytes.length);
      r.offsets.push(seen.at[i]! - (r as { createdAt?: number }).createdAt!);
    } else if (e.type === 'response.output_audio_transcript.delta') {
      r.transcript += e.delta as string;
    }
  });
  return list;
}

/** Every file under `dir` (recursively) that contains `secret`, as bytes. */
async function filesContaining(dir: string, secret: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(Buffer.from(secret))) hits.push(path);
  }
  return hits;
}

function expectSameConversation(recorded: Seen, replayed: Seen): void {
  const flow = (s: Seen) => s.events.filter((e) => e.type !== TRANSCRIPTION);
  // Same event types in the same order, deltas included, and the same content once ids are
  // named by use. Transcription events arrive on a timer that races the first deltas, so they
  // are compared on their own: same transcripts, same items.
  expect(flow(replayed).map((e) => e.type)).toEqual(flow(recorded).map((e) => e.type));
  expect(canonical(flow(replayed))).toEqual(canonical(flow(recorded)));
  const transcripts = (s: Seen) => s.events.filter((e) => e.type === TRANSCRIPTION);
  expect(canonical(transcripts(replayed)).length).toBe(transcripts(recorded).length);
  expect(transcripts(replayed).map((e) => e.transcript)).toEqual(
    transcripts(recorded).map((e) => e.transcript),
  );
  const a = responses(recorded);
  const b = responses(replayed);
  expect(b.length).toBe(a.length);
  a.forEach((r, i) => {
    expect(b[i]!.audio.equals(r.audio), `audio of response ${i + 1}`).toBe(true);
    expect(b[i]!.bytes).toEqual(r.bytes);
    expect(b[i]!.transcript).toBe(r.transcript);
  });
}

describe('record and replay (issue 4)', () => {
  it(
    'tool-call: recorded through the proxy, replayed by the mock — same events, audio, ' +
      'transcripts and pacing; no key in the folder',
    async () => {
      // Upstream at three times real time: its deltas come every 33 ms, not the mock's default
      // 100 ms, so a replay that ignored the recorded timeline would fail the timing check.
      const source = await loadFixture('tool-call');
      const upstream = await mock(source, 3);
      const rec = await recorder(upstream.url, 'tool-call-recorded');
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const recorded = await converse(rec.recorder.url, source);
      loop.disable();
      let stallMs = loop.max / 1e6;
      const fixture = await rec.recorder.recorded;

      expect(fixture.dir).toBe(rec.dir);
      expect(fixture.report.ok).toBe(true);
      expect(fixture.report.problems).toEqual([]);
      expect(rec.violations).toEqual([]);
      expect(fixture).toMatchObject({ turns: 1, responses: 2, toolCalls: 1, violations: 0 });
      expect(fixture.close).toMatchObject({ by: 'client', code: 1000 });
      expect(fixture.manifest.turns[0]!.user.transcript).toBe(source.turns[0]!.user.transcript);
      expect(fixture.manifest.turns[0]!.responses[0]!.toolCall).toMatchObject({
        name: 'get_weather',
        arguments: { city: 'Kochi' },
      });
      expect(fixture.manifest.expect).toBeUndefined();
      expect(fixture.manifest.recordedFrom).toMatchObject({
        upstream: upstream.url,
        model: 'mal-realtime-simple',
        violations: 0,
      });
      expect(await filesContaining(rec.dir, KEY)).toEqual([]);
      expect(JSON.stringify(fixture)).not.toContain(KEY);

      const replay = await mock(rec.dir, 1);
      loop.reset();
      loop.enable();
      const replayed = await converse(replay.url, source);
      loop.disable();
      stallMs = Math.max(stallMs, loop.max / 1e6);
      expectSameConversation(recorded, replayed);

      // Pacing: each delta's offset from response.created, recorded vs replayed.
      const a = responses(recorded);
      const b = responses(replayed);
      const worst: number[] = [];
      a.forEach((r, i) =>
        r.offsets.forEach((offset, k) => {
          const other = b[i]!.offsets[k]!;
          worst.push(Math.abs(other - offset));
          expect(
            Math.abs(other - offset),
            `response ${i + 1} delta ${k + 1}: recorded at +${offset.toFixed(1)} ms, replayed at ` +
              `+${other.toFixed(1)} ms (longest event-loop stall ${stallMs.toFixed(1)} ms)`,
          ).toBeLessThanOrEqual(Math.max(50, offset * 0.1) + stallMs);
        }),
      );
      // The pacing is the upstream's (deltas 33 ms apart), not the mock's default (100 ms), in
      // the recording and in the replay alike.
      const spacing = (r: { offsets: number[] }) =>
        (r.offsets.at(-1)! - r.offsets[0]!) / (r.offsets.length - 1);
      const spoken = a.findIndex((r) => r.offsets.length > 10);
      expect(spacing(a[spoken]!)).toBeLessThan(60);
      expect(spacing(b[spoken]!)).toBeLessThan(60);
      console.log(
        `replay timing: worst delta offset difference ${Math.max(...worst).toFixed(1)} ms, ` +
          `longest event-loop stall ${stallMs.toFixed(1)} ms`,
      );
    },
    30_000,
  );

  it('multi-turn: three exchanges with a tool, recorded with ?api_key=, replay the same', async () => {
    const source = await loadFixture('multi-turn');
    const upstream = await mock(source, 40);
    const rec = await recorder(upstream.url, 'multi-turn-recorded');
    const recorded = await converse(rec.recorder.url, source, 'query');
    const fixture = await rec.recorder.recorded;
    expect(fixture).toMatchObject({ turns: 3, responses: 4, toolCalls: 1, violations: 0 });
    expect(fixture.report.problems).toEqual([]);
    expect(fixture.manifest.turns.map((t) => t.user.transcript)).toEqual(
      source.turns.map((t) => t.user.transcript),
    );
    // The preamble-then-call response keeps both its audio and its call.
    expect(fixture.manifest.turns[1]!.responses[0]).toMatchObject({
      audio: 'turn2-response1.wav',
      toolCall: { name: 'get_weather', arguments: { city: 'Kochi' } },
    });
    expect(await filesContaining(rec.dir, KEY)).toEqual([]);

    const replay = await mock(rec.dir, 1);
    expectSameConversation(recorded, await converse(replay.url, source, 'query'));
  });

  it('reports violations both ways without blocking them; a server close becomes expect.close and a fault that replays it', async () => {
    const upstream = await startMockServer({
      fixture: 'greeting',
      speed: 20,
      keys: [KEY],
      faults: [
        {
          when: { on: 'server-event', type: 'session.updated' },
          do: { action: 'inject', event: { type: 'response.surprise', event_id: 'evt_x' } },
        },
        {
          when: { on: 'server-event', type: 'response.done' },
          do: {
            action: 'close',
            code: 4003,
            reason: 'out of credits',
            error: { code: 'insufficient_credits' },
          },
        },
      ],
    });
    closers.push(() => upstream.close());
    const rec = await recorder(upstream.url, 'violations-recorded');
    const c = await TestClient.connect(rec.recorder.url, { key: KEY });
    await c.next('session.created');
    c.send({ type: 'session.update', session: {} });
    await c.next('response.surprise');
    c.send({ type: 'input_audio_buffer.append', audio: 'not base64!' });
    await c.next('error');
    c.sendAudio(upstream.fixture.turns[0]!.user.pcm);
    expect(await c.closed()).toBe(4003);
    expect(c.closeReason).toBe('out of credits');
    expect(c.events.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'insufficient_credits' },
    });

    const fixture = await rec.recorder.recorded;
    expect(rec.violations.map((v) => [v.from, v.type, v.violations[0]!.code])).toEqual([
      ['server', 'response.surprise', 'unknown_event'],
      ['client', 'input_audio_buffer.append', 'invalid_audio'],
    ]);
    expect(fixture.violations).toBe(2);
    expect(fixture.manifest.recordedFrom).toMatchObject({ violations: 2 });
    expect(JSON.parse(await readFile(join(rec.dir, 'violations.json'), 'utf8'))).toMatchObject({
      total: 2,
    });
    expect(fixture.report.ok).toBe(true);
    expect(fixture.report.problems.map((p) => [p.severity, p.code])).toEqual([
      ['warning', 'recorded_event_violation'],
      ['warning', 'recorded_event_violation'],
    ]);
    expect(fixture.manifest.expect).toEqual({
      close: { code: 4003, errorCode: 'insufficient_credits' },
    });
    expect(fixture.manifest.faults).toMatchObject([
      {
        when: { on: 'server-event', type: 'response.done', count: 1 },
        do: { action: 'close', code: 4003, error: { code: 'insufficient_credits' } },
      },
    ]);

    // The replay ends the same way.
    const replay = await mock(rec.dir, 1);
    const again = await TestClient.connect(replay.url, { key: KEY });
    again.send({ type: 'session.update', session: {} });
    again.sendAudio(upstream.fixture.turns[0]!.user.pcm);
    expect(await again.closed()).toBe(4003);
    expect(again.events.at(-2)?.type).toBe('response.done');
    expect(again.events.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'insufficient_credits' },
    });
  });
});

describe('the recorder passes credentials on the way the client sent them, and writes none', () => {
  /** A bare upstream that notes each handshake, then errs and closes, quoting the key. */
  async function fakeUpstream() {
    const seen: { url: string; authorization?: string; protocol?: string; chosen: string }[] = [];
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (ws, req) => {
      seen.push({
        url: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(req.headers['sec-websocket-protocol']
          ? { protocol: req.headers['sec-websocket-protocol'] }
          : {}),
        chosen: ws.protocol,
      });
      const key = /[A-Za-z0-9_]*secret[A-Za-z0-9_]*/.exec(
        `${req.url} ${req.headers.authorization} ${req.headers['sec-websocket-protocol']}`,
      )?.[0];
      ws.send(
        JSON.stringify({
          type: 'error',
          event_id: 'evt_1',
          error: {
            type: 'invalid_request_error',
            code: 'invalid_api_key',
            message: `the key ${key} is not valid`,
          },
        }),
      );
      ws.close(4001, `invalid key ${key}`);
    });
    closers.push(() => new Promise((resolve) => wss.close(() => resolve(undefined))));
    const port = (wss.address() as { port: number }).port;
    return { url: `ws://127.0.0.1:${port}/v1/realtime`, seen };
  }

  const cases: { how: ConnectHow; expectSeen: (s: Record<string, unknown>) => void }[] = [
    {
      how: 'bearer',
      expectSeen: (s) => expect(s).toMatchObject({ authorization: `Bearer ${KEY}`, chosen: '' }),
    },
    {
      how: 'query',
      expectSeen: (s) => {
        expect(s.url).toContain(`api_key=${KEY}`);
        expect(s.authorization).toBeUndefined();
      },
    },
    {
      how: 'subprotocol',
      expectSeen: (s) => {
        expect(
          String(s.protocol)
            .split(',')
            .map((p) => p.trim()),
        ).toEqual(['realtime', `openai-insecure-api-key.${KEY}`]);
        expect(s.chosen).toBe('realtime');
      },
    },
  ];

  it.each(cases)('$how: relayed unchanged, refused by the upstream, no key on disk', async (c) => {
    const upstream = await fakeUpstream();
    const rec = await recorder(upstream.url, `credentials-${c.how}`);
    const client = await TestClient.connect(rec.recorder.url, credentials(c.how));
    if (c.how === 'subprotocol') expect(client.ws.protocol).toBe('realtime');
    // Transparent: the frames and the close reach the client as the upstream sent them.
    expect(await client.closed()).toBe(4001);
    expect(client.closeReason).toBe(`invalid key ${KEY}`);
    expect((client.events[0]!.error as { message: string }).message).toContain(KEY);
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.url).toContain('model=mal-realtime-simple');
    c.expectSeen(upstream.seen[0]!);

    // Nothing to replay, but the frames are written for diagnosis, with the key removed.
    const error = await rec.recorder.recorded.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecorderError);
    expect(error).toMatchObject({ code: 'nothing_to_replay' });
    expect((error as RecorderError).files.map((f) => f.slice(rec.dir.length + 1))).toEqual([
      'events.jsonl',
      'violations.json',
    ]);
    const events = await readFile(join(rec.dir, 'events.jsonl'), 'utf8');
    expect(events).toContain('[credential removed]');
    expect(events).toContain('"code":4001');
    expect(await filesContaining(rec.dir, KEY)).toEqual([]);
    expect((error as Error).message).not.toContain(KEY);
    expect(rec.notices.join('\n')).not.toContain(KEY);
  });

  it('with `key` (--key-env) the upstream gets that key as Bearer and the client needs none', async () => {
    const upstream = await fakeUpstream();
    const other = 'swaram_other_secret_for_upstream';
    const rec = await recorder(upstream.url, 'credentials-key', { key: other });
    const client = await TestClient.connect(rec.recorder.url, { query: { api_key: KEY } });
    expect(await client.closed()).toBe(4001);
    expect(upstream.seen[0]!.authorization).toBe(`Bearer ${other}`);
    expect(upstream.seen[0]!.url).not.toContain('api_key');
    await rec.recorder.recorded.catch(() => undefined);
    expect(await filesContaining(rec.dir, other)).toEqual([]);
    expect(await filesContaining(rec.dir, KEY)).toEqual([]);
  });

  it('an upstream that refuses the handshake: the client gets its HTTP status; unreachable is 502', async () => {
    const http = createServer();
    http.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    closers.push(() => new Promise((resolve) => http.close(() => resolve(undefined))));
    const port = (http.address() as { port: number }).port;
    const rec = await recorder(`ws://127.0.0.1:${port}/v1/realtime`, 'refused');
    await expect(TestClient.connect(rec.recorder.url, { key: KEY })).rejects.toThrow('HTTP 401');
    const unreachable = await recorder('ws://127.0.0.1:1/v1/realtime', 'unreachable');
    await expect(TestClient.connect(unreachable.recorder.url, { key: KEY })).rejects.toThrow(
      'HTTP 502',
    );
    await expect(rec.recorder.close()).rejects.toMatchObject({ code: 'nothing_recorded' });
    expect(rec.notices.join('\n')).toContain('HTTP 401');
    expect(rec.notices.join('\n')).not.toContain(KEY);
  });

  it('refuses bad arguments early and says what to do', async () => {
    await expect(
      startRecorder({ upstream: 'http://x', out: join(root, 'a') }),
    ).rejects.toMatchObject({
      code: 'invalid_upstream',
      message: expect.stringContaining('ws:// or wss://'),
    });
    await expect(
      startRecorder({ upstream: 'ws://127.0.0.1:1', out: join(root, 'bad name!') }),
    ).rejects.toMatchObject({ code: 'invalid_out' });
    const full = join(root, 'tool-call-recorded');
    await expect(startRecorder({ upstream: 'ws://127.0.0.1:1', out: full })).rejects.toMatchObject({
      code: 'out_not_empty',
      message: expect.stringContaining('--force'),
    });
    const idle: Recorder = await startRecorder({
      upstream: 'ws://127.0.0.1:1',
      out: join(root, 'idle'),
    });
    await expect(idle.close()).rejects.toMatchObject({ code: 'nothing_recorded' });
  });
});

describe('swaram-mock record (CLI)', () => {
  it('records through --key-env, ends on SIGINT, writes a valid fixture and prints it; no key anywhere', async () => {
    const upstream = await mock('greeting', 20);
    const out = join(root, 'cli-recorded');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/swaram-mock.ts',
        'record',
        '--upstream',
        upstream.url,
        '--out',
        out,
        '--port',
        '0',
        '--key-env',
        'SWARAM_RECORD_KEY',
      ],
      { stdio: 'pipe', env: { ...process.env, SWARAM_RECORD_KEY: KEY } },
    );
    closers.push(async () => void child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const deadline = Date.now() + 15_000;
    while (!/connect to:\s+(\S+)/.test(stdout)) {
      if (Date.now() > deadline) throw new Error(`no banner; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const url = /connect to:\s+(\S+)/.exec(stdout)![1]!.split('?')[0]!;
    const c = await TestClient.connect(url); // no key: the recorder adds it
    await c.next('session.created');
    c.send({ type: 'session.update', session: {} });
    c.sendAudio(upstream.fixture.turns[0]!.user.pcm);
    await c.next('response.done');
    await c.next(TRANSCRIPTION);
    child.kill('SIGINT');
    expect(await c.closed()).toBe(1001);
    expect(await exited).toBe(0);
    expect(stdout).toContain(`wrote fixture "cli-recorded" to ${out} (valid)`);
    expect(stdout).toContain('1 user turn(s), 1 response(s)');
    expect(stdout + stderr).not.toContain(KEY);
    expect(await filesContaining(out, KEY)).toEqual([]);
    const report = await validateFixture(out);
    expect(report.problems).toEqual([]);
    expect((await loadFixture(out)).recordedFrom).toMatchObject({
      close: { by: 'recorder', code: 1001 },
    });
  }, 30_000);
});
