import { describe, expect, it } from 'vitest';
import { concatPcm, silence, tone } from '../../protocol/audio/index.js';
import type { MockServer } from '../../mock-server/mock-server.js';
import { useMockServers } from '../support/mock-servers.js';
import { TestClient } from '../support/test-client.js';

const serve = useMockServers();

function httpBase(server: MockServer): string {
  return server.url.replace(/^ws/, 'http').replace('/v1/realtime', '');
}

describe('mock server: credentials (swaram protocol §1)', () => {
  it('accepts the key from the Bearer header, ?api_key= and the insecure subprotocol (answering "realtime")', async () => {
    const server = await serve();
    const key = server.keys[0]!;
    const bearer = await TestClient.connect(server.url, { key });
    await bearer.next('session.created');
    const query = await TestClient.connect(server.url, { query: { api_key: key } });
    await query.next('session.created');
    const sub = await TestClient.connect(server.url, {
      protocols: ['realtime', `openai-insecure-api-key.${key}`],
    });
    await sub.next('session.created');
    expect(sub.ws.protocol).toBe('realtime');
    for (const c of [bearer, query, sub]) c.close();
  });

  it('a missing or wrong key gets an error event, then close 4001', async () => {
    const server = await serve();
    for (const opts of [{}, { key: 'swaram_wrong' }]) {
      const c = await TestClient.connect(server.url, opts);
      expect(await c.closed()).toBe(4001);
      expect(c.types()).toEqual(['error']);
      expect((c.events[0]!.error as { code: string }).code).toBe('invalid_api_key');
    }
  });

  it('an unknown model gets error invalid_model, then close 1008', async () => {
    const server = await serve();
    const c = await TestClient.connect(server.url, { key: server.keys[0], model: 'gpt-realtime' });
    expect(await c.closed()).toBe(1008);
    expect((c.events[0]!.error as { code: string }).code).toBe('invalid_model');
  });

  it('mints ephemeral tokens that work, lock settings, and expire (then 4001)', async () => {
    const server = await serve({ tokenTtlSeconds: 0.3 });
    const res = await fetch(`${httpBase(server)}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.keys[0]}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'mal-realtime-simple',
        session: { voice: 'mal-male', instructions: 'locked' },
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: string; expires_at: number };
    expect(body.value).toMatch(/^swaram_ek_/);
    expect(body.expires_at).toBeGreaterThan(Date.now() / 1000 - 1);

    const c = await TestClient.connect(server.url, {
      protocols: ['realtime', `openai-insecure-api-key.${body.value}`],
    });
    await c.next('session.created');
    c.send({ type: 'session.update', session: { voice: 'mal-female', instructions: 'mine' } });
    const updated = await c.next('session.updated');
    expect(updated.session).toMatchObject({ voice: 'mal-male', instructions: 'locked' });
    c.close();

    await new Promise((r) => setTimeout(r, 400));
    const late = await TestClient.connect(server.url, { key: body.value });
    expect(await late.closed()).toBe(4001);
    expect(late.types()).toEqual(['error']);
  });

  it('refuses to mint a token without a secret key (HTTP 401)', async () => {
    const server = await serve();
    const res = await fetch(`${httpBase(server)}/v1/realtime/client_secrets`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(401);
  });
});

describe('mock server: limits and close codes (swaram protocol §2)', () => {
  it("4003: when the key's credits are spent, an error event then close 4003", async () => {
    const server = await serve({ creditsSeconds: 1 });
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    c.send({ type: 'session.update', session: {} });
    await c.next('session.updated');
    c.sendAudio(concatPcm(silence(500), tone(440, 800, -10), silence(800)));
    expect(await c.closed()).toBe(4003);
    const last = c.events[c.events.length - 1]!;
    expect(last.type).toBe('error');
    expect((last.error as { code: string }).code).toBe('insufficient_credits');
    // The budget is per key: a new connection is refused the same way at once.
    const again = await TestClient.connect(server.url, { key: server.keys[0] });
    expect(await again.closed()).toBe(4003);
    expect(again.types()).toEqual(['error']);
  });

  it('4008: a connection over the per-key limit gets an error, then close 4008; others are unaffected', async () => {
    const server = await serve({ maxConnectionsPerKey: 1 });
    const first = await TestClient.connect(server.url, { key: server.keys[0] });
    await first.next('session.created');
    const second = await TestClient.connect(server.url, { key: server.keys[0] });
    expect(await second.closed()).toBe(4008);
    expect(second.types()).toEqual(['error']);
    expect((second.events[0]!.error as { code: string }).code).toBe('too_many_connections');
    first.send({ type: 'session.update', session: {} });
    await first.next('session.updated');
    first.close();
    await new Promise((r) => setTimeout(r, 100));
    const third = await TestClient.connect(server.url, { key: server.keys[0] });
    await third.next('session.created');
    third.close();
  });

  it('1013: over server capacity, close 1013 with nothing before it', async () => {
    const server = await serve({ capacity: 1 });
    const first = await TestClient.connect(server.url, { key: server.keys[0] });
    await first.next('session.created');
    const second = await TestClient.connect(server.url, { key: server.keys[0] });
    expect(await second.closed()).toBe(1013);
    expect(second.events).toEqual([]);
    first.close();
  });
});

describe('mock server: HTTP side', () => {
  it('serves /health with live session counts and pacing figures', async () => {
    const server = await serve();
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    await c.next('session.created');
    const res = await fetch(`${httpBase(server)}/health`);
    const body = (await res.json()) as {
      status: string;
      liveSessions: number;
      pacing: { p99: number };
    };
    expect(body.status).toBe('ok');
    expect(body.liveSessions).toBe(1);
    expect(typeof body.pacing.p99).toBe('number');
    c.close();
  });

  it('answers other paths with 404 and says what it serves', async () => {
    const server = await serve();
    const res = await fetch(`${httpBase(server)}/nope`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).toContain('/v1/realtime');
  });

  it('serves wss: with a generated certificate', async () => {
    const server = await serve({ tls: true });
    expect(server.url).toMatch(/^wss:/);
    const c = await TestClient.connect(server.url, {
      key: server.keys[0],
      ca: server.certificate!,
    });
    await c.next('session.created');
    c.close();
  });
});
