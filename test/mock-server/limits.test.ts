import { connect as tcpConnect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bannerText } from '../../mock-server/mock-cli.js';
import { redactKey } from '../../mock-server/frame-log.js';
import type { MockServer, SessionSummary } from '../../mock-server/mock-server.js';
import { useMockServers } from '../support/mock-servers.js';
import { TestClient } from '../support/test-client.js';

const serve = useMockServers();

const httpBase = (s: MockServer) => s.url.replace(/^ws/, 'http').replace('/v1/realtime', '');
const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Resolves with the ms a raw socket stayed open (it must be closed by the server). */
function closedAfter(socket: Socket, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the server never cut the socket')), timeoutMs);
    socket.on('error', () => undefined);
    socket.resume(); // read what comes (a 408), so that the end and close are seen
    socket.on('close', () => {
      clearTimeout(t);
      resolve(Date.now() - t0);
    });
  });
}

function mint(server: MockServer, body: string, auth = `Bearer ${server.keys[0]}`) {
  return fetch(`${httpBase(server)}/v1/realtime/client_secrets`, {
    method: 'POST',
    headers: { Authorization: auth, 'content-type': 'application/json' },
    body,
  });
}

describe('mock server limits: --log and deep nesting', () => {
  it('a 27 kB frame nested 4 500 deep is logged raw (deep: true) and still answered; a deep session.update is refused', async () => {
    const log = new PassThrough();
    let logged = '';
    log.on('data', (d: Buffer) => (logged += d.toString()));
    const server = await serve({ log });
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    await c.next('session.created');
    const frame = `{"type":"nope","x":${deep(4500)}}`;
    expect(frame.length).toBeGreaterThan(27_000);
    c.send(frame);
    const tool = `{"type":"function","name":"f","parameters":${deep(100)}}`;
    c.send(`{"type":"session.update","event_id":"e_deep","session":{"tools":[${tool}]}}`);
    await c.next('error', 2);
    expect((c.of('error')[0]!.error as { code: string }).code).toBe('unknown_event');
    expect(c.of('error')[1]!.error).toMatchObject({
      code: 'invalid_event',
      param: 'session',
      event_id: 'e_deep',
    });
    await until('the log lines', () => logged.split('\n').length > 4);
    const lines = logged
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const inbound = lines.find((l) => l.dir === 'in' && l.type === 'nope')!;
    expect(inbound).toMatchObject({ deep: true, size: frame.length });
    expect(typeof inbound.event).toBe('string');
    // The session goes on: a shallow update is answered.
    c.send({ type: 'session.update', session: { voice: 'mal-male' } });
    expect((await c.next('session.updated')).session).toMatchObject({ voice: 'mal-male' });
    c.close();
  });
});

describe('mock server limits: clients that stop reading', () => {
  it('a client that provokes one large echo and stops reading is cut (1008, then terminated) after the grace', async () => {
    const ended: SessionSummary[] = [];
    const server = await serve({
      maxBufferedBytes: 64 * 1024,
      bufferGraceMs: 300,
      onSessionEnd: (s) => ended.push(s),
    });
    const sockets: WebSocket[] = [];
    for (let i = 0; i < 2; i++) {
      const ws = new WebSocket(`${server.url}?model=mal-realtime-simple`, {
        headers: { Authorization: `Bearer ${server.keys[0]}` },
      });
      ws.on('error', () => undefined);
      sockets.push(ws);
      ws.once('message', () => {
        ws.pause(); // reads nothing more, ever
        const instructions = 'x'.repeat(5 * 1024 * 1024);
        ws.send(JSON.stringify({ type: 'session.update', session: { instructions } }));
      });
    }
    // Before: nothing more is written to them, so nothing ever looked at their buffers again.
    await until('both sessions cut', () => ended.length === 2, 20_000);
    expect(server.sessions.size).toBe(0);
    for (const s of ended) expect(s.closedBy).toBe('server');
    for (const ws of sockets) ws.terminate();
  }, 30_000);
});

describe('mock server limits: idle and handshake time limits', () => {
  it('an admitted client that sends nothing is closed with 1000 idle timeout; one that talks stays', async () => {
    const server = await serve({ idleTimeoutSeconds: 0.6 });
    const quiet = await TestClient.connect(server.url, { key: server.keys[0] });
    const talker = await TestClient.connect(server.url, { key: server.keys[0] });
    const ticker = setInterval(() => talker.send({ type: 'input_audio_buffer.clear' }), 150);
    try {
      expect(await quiet.closed(5_000)).toBe(1000);
      expect(quiet.closeReason).toMatch(/^idle timeout/);
      await sleep(500);
      expect(talker.closeCode).toBeUndefined();
    } finally {
      clearInterval(ticker);
      talker.close();
    }
  });

  it('a socket that drips its handshake headers, or sends nothing, is cut after handshakeTimeoutMs', async () => {
    const server = await serve({ handshakeTimeoutMs: 500 });
    const silent = tcpConnect(server.port, '127.0.0.1');
    const drip = tcpConnect(server.port, '127.0.0.1');
    drip.write('GET /v1/realtime HTTP/1.1\r\nHost: x\r\n');
    const ticker = setInterval(() => drip.writable && drip.write('X-Drip: 1\r\n'), 100);
    try {
      const [a, b] = await Promise.all([closedAfter(silent, 8_000), closedAfter(drip, 8_000)]);
      expect(a).toBeLessThan(4_000);
      expect(b).toBeLessThan(4_000);
    } finally {
      clearInterval(ticker);
    }
  });

  it('wss: a TCP connection that never starts its TLS handshake is cut too', async () => {
    const server = await serve({ tls: true, handshakeTimeoutMs: 500 });
    const silent = tcpConnect(server.port, '127.0.0.1');
    expect(await closedAfter(silent, 8_000)).toBeLessThan(4_000);
    // A real TLS client still gets in.
    const tls = tlsConnect({ port: server.port, host: '127.0.0.1', ca: server.certificate! });
    await new Promise<void>((resolve, reject) => {
      tls.once('secureConnect', () => resolve());
      tls.once('error', reject);
    });
    tls.destroy();
  }, 30_000);
});

describe('mock server limits: ephemeral tokens and the mint endpoint', () => {
  it('expires_after.seconds must be 10–7200: 1e308, -5 and "60" get 400 with a clear message', async () => {
    const server = await serve();
    for (const seconds of ['1e308', '-5', '"60"', '9', '7201']) {
      const res = await mint(server, `{"expires_after":{"seconds":${seconds}}}`);
      expect(res.status, seconds).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/expires_after\.seconds must be .* from 10 to 7200/);
    }
    for (const seconds of [10, 7200]) {
      const res = await mint(server, JSON.stringify({ expires_after: { seconds } }));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { expires_at: number };
      expect(body.expires_at).toBeGreaterThan(Date.now() / 1000 + seconds - 5);
      expect(body.expires_at).toBeLessThan(Date.now() / 1000 + seconds + 5);
    }
  });

  it('a body over 64 kB gets 413 with a JSON error (no reset); a deep one 400', async () => {
    const server = await serve();
    const big = await mint(
      server,
      JSON.stringify({ session: { instructions: 'x'.repeat(200_000) } }),
    );
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe(
      'request_too_large',
    );
    const nested = await mint(server, `{"session":{"tools":[${deep(1000)}]}}`);
    expect(nested.status).toBe(400);
    // The server is fine afterwards.
    expect((await mint(server, '{}')).status).toBe(200);
  });

  it('the Bearer scheme is case-insensitive (RFC 7235), for the mint endpoint and the WebSocket', async () => {
    const server = await serve();
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await mint(server, '{}', `${scheme} ${server.keys[0]}`);
      expect(res.status, scheme).toBe(200);
      const c = await TestClient.connect(server.url, {
        headers: { Authorization: `${scheme} ${server.keys[0]}` },
      });
      await c.next('session.created');
      c.close();
    }
  });
});

describe('keys on the terminal', () => {
  it('redactKey shows a tag and the last four only for long keys; short ones as ***', () => {
    expect(redactKey('swaram_test_key')).toBe('swaram_***');
    expect(redactKey('abc')).toBe('***');
    expect(redactKey('swaram_ek_abc')).toBe('swaram_ek_***');
    expect(redactKey('swaram_0123456789abcdefWXYZ')).toBe('swaram_…WXYZ');
    expect(redactKey(undefined)).toBeUndefined();
  });

  it('the banner prints a key you chose redacted (the snippet reads SWARAM_KEY); the public test key as is', () => {
    const fake = (keys: string[]) =>
      ({
        url: 'ws://127.0.0.1:1/v1/realtime',
        keys,
        fixture: { name: 'greeting' },
        certificate: undefined,
      }) as unknown as MockServer;
    const mine = bannerText(fake(['swaram_my_secret_key_0001']));
    expect(mine).not.toContain('my_secret');
    expect(mine).toContain('swaram_…0001');
    expect(mine).toContain('process.env.SWARAM_KEY');
    expect(bannerText(fake(['swaram_test_key']))).toContain("'Bearer swaram_test_key'");
  });
});
