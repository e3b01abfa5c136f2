import { connect as tcpConnect } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useMockServers, utterance } from '../support/mock-servers.js';
import { TestClient, type Received } from '../support/test-client.js';
import type { MockServer } from '../../mock-server/mock-server.js';

/**
 * Abuse suite: everything a hostile or broken client can do, against one live server with a
 * healthy session beside it. Invariants: the process lives, every bad frame gets its
 * documented `error` (or close), the healthy session's turn completes with the same audio as
 * before the abuse, and memory comes back near where it was.
 */
const serve = useMockServers();

const DOCUMENTED_CODES = new Set([
  'invalid_json',
  'unknown_event',
  'unsupported_event',
  'invalid_event',
  'missing_required_parameter',
  'invalid_audio',
  'binary_frame_not_supported',
]);
const MAX_PAYLOAD = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

async function connect(server: MockServer): Promise<TestClient> {
  const c = await TestClient.connect(server.url, { key: server.keys[0] });
  await c.next('session.created');
  return c;
}

/** One turn: the reply's audio (deltas joined) and its response.done status. */
async function turn(c: TestClient): Promise<{ audio: string; status: string }> {
  const before = c.of('response.done').length;
  c.sendAudio(utterance());
  const done = (await c.next('response.done', before + 1, 30_000)) as Received & {
    response: { id: string; status: string };
  };
  const audio = c
    .of('response.output_audio.delta')
    .filter((d) => d.response_id === done.response.id)
    .map((d) => d.delta as string)
    .join('');
  return { audio, status: done.response.status };
}

/** Frames that are always wrong, each of which must get exactly one `error`. */
const badFrame = fc.oneof(
  fc.string().map((s) => `{${s}`), // malformed JSON
  fc.constantFrom('null', '42', '"text"', '[]', 'true'), // not an object
  fc.jsonValue().map((v) => JSON.stringify({ type: 7, v })), // wrong type of type
  fc.string({ minLength: 1 }).map((t) => JSON.stringify({ type: `x.${t}` })), // unknown type
  fc
    .constantFrom('conversation.item.truncate', 'transcription_session.update')
    .map((t) => JSON.stringify({ type: t })),
  fc // bad base64: a character outside the alphabet
    .string({ minLength: 0, maxLength: 40 })
    .map((s) => JSON.stringify({ type: 'input_audio_buffer.append', audio: `${s}!==` })),
  fc // odd audio: an odd number of bytes
    .constantFrom('AA==', 'AAEC', 'AAECAwQ=', '')
    .map((audio) => JSON.stringify({ type: 'input_audio_buffer.append', audio })),
  fc.integer({ min: 100, max: 20_000 }).map((n) => `{"type":"nope","x":${deep(n)}}`), // deep
  fc
    .integer({ min: 10_000, max: 200_000 })
    .map((n) => JSON.stringify({ type: 'nope', event_id: 'e'.repeat(n) })), // huge value
  fc.jsonValue().map((v) => JSON.stringify({ type: 'session.update', session: [v] })),
);

describe('abuse: nothing a client does may crash, hang or fool the mock', () => {
  it('bad frames, binary, invalid UTF-8, oversized frames, floods, half-open and non-reading sockets beside a healthy session', async () => {
    const server = await serve({
      maxPayloadBytes: MAX_PAYLOAD,
      maxBufferedBytes: 64 * 1024,
      bufferGraceMs: 300,
      handshakeTimeoutMs: 1000,
    });
    const reference = await connect(server);
    const expected = await turn(reference);
    expect(expected.status).toBe('completed');
    expect(expected.audio.length).toBeGreaterThan(1000);
    reference.close();
    const healthy = await connect(server);
    const baselineRss = process.memoryUsage().rss;

    // 1. Random bad frames: one documented error each, the session goes on.
    const fuzz = await connect(server);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(badFrame, { minLength: 1, maxLength: 10 }), async (frames) => {
        for (const f of frames) fuzz.send(f);
        sent += frames.length;
        await fuzz.until(
          (e) => e.filter((x) => x.type === 'error').length >= sent,
          'errors',
          20_000,
        );
      }),
      { numRuns: 40 },
    );
    expect(fuzz.of('error')).toHaveLength(sent);
    for (const e of fuzz.of('error'))
      expect(DOCUMENTED_CODES, JSON.stringify(e).slice(0, 200)).toContain(
        (e.error as { code: string }).code,
      );
    expect(fuzz.closeCode).toBeUndefined();

    // 2. Binary frames get their error; a flood of junk is answered frame by frame.
    fuzz.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    await fuzz.until(
      (e) => e.some((x) => (x.error as { code?: string })?.code === 'binary_frame_not_supported'),
      'binary error',
    );
    const before = fuzz.of('error').length;
    for (let i = 0; i < 3000; i++) fuzz.send(`{"type":"flood.${i}"}`);
    await fuzz.until(
      (e) => e.filter((x) => x.type === 'error').length >= before + 3000,
      'flood',
      30_000,
    );
    expect(fuzz.closeCode).toBeUndefined();

    // 3. Invalid UTF-8 in a text frame: 1007; a frame over the limit: 1009.
    const utf8 = await connect(server);
    utf8.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await utf8.closed()).toBe(1007);
    const big = await connect(server);
    big.send(JSON.stringify({ type: 'nope', pad: 'x'.repeat(MAX_PAYLOAD + 10) }));
    expect(await big.closed()).toBe(1009);

    // 4. Non-readers: large echoes (more than the kernel buffers hold), then they read nothing: all are cut.
    const nonReaders = await Promise.all([0, 1, 2].map(() => connect(server)));
    for (const c of nonReaders) {
      c.ws.pause();
      for (let i = 0; i < 3; i++) {
        const instructions = 'x'.repeat(MAX_PAYLOAD - 100);
        c.send({ type: 'session.update', session: { instructions } });
        c.send({ type: 'nope', event_id: 'y'.repeat(MAX_PAYLOAD - 100) });
      }
    }
    // 5. Half-open: a handshake that never finishes; a client that vanishes mid-reply.
    const halfOpen = tcpConnect(server.port, '127.0.0.1');
    halfOpen.on('error', () => undefined);
    halfOpen.resume();
    halfOpen.write('GET /v1/realtime HTTP/1.1\r\nHost: x\r\n');
    const halfOpenClosed = new Promise<void>((resolve) => halfOpen.on('close', () => resolve()));
    const vanish = await connect(server);
    vanish.sendAudio(utterance());
    await vanish.next('response.output_audio.delta');
    vanish.ws.terminate();

    await halfOpenClosed;
    const others = () => [...server.sessions.keys()].filter((id) => id !== sessionOf(healthy));
    const deadline = Date.now() + 20_000;
    while (others().length > 1 && Date.now() < deadline) await sleep(100); // only `fuzz` left
    expect(others()).toHaveLength(1);
    for (const c of nonReaders) c.ws.terminate();
    fuzz.close();

    // Invariants: the server answers, the healthy session's turn is whole and the same.
    const health = await fetch(
      server.url.replace(/^ws/, 'http').replace('/v1/realtime', '/health'),
    );
    expect(health.status).toBe(200);
    const after = await turn(healthy);
    expect(after.status).toBe('completed');
    expect(after.audio).toBe(expected.audio);
    expect(healthy.of('error')).toEqual([]);
    expect(healthy.closeCode).toBeUndefined();
    healthy.close();
    await sleep(200);
    // Memory comes back (tolerant: no forced GC here, other files run beside this one).
    expect(process.memoryUsage().rss - baselineRss).toBeLessThan(400 * 1024 * 1024);
  }, 90_000);
});

function sessionOf(c: TestClient): string {
  return (c.of('session.created')[0] as unknown as { session: { id: string } }).session.id;
}
