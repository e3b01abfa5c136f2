import { describe, expect, expectTypeOf, it } from 'vitest';
import type { JournalFrame, SessionRecord } from '../../mock-server/journal.js';
import type { ServerEventOf } from '../../protocol/events.js';
import type { MockServer } from '../../mock-server/mock-server.js';
import { useMockServers, utterance } from '../support/mock-servers.js';
import { TestClient } from '../support/test-client.js';

const serve = useMockServers();

/** A frame as JSON, with the fields these tests read. */
type Frame = JournalFrame<{ audio?: string; session?: { voice?: string } }>;

function admin(server: MockServer, path: string, init: RequestInit = {}, key = server.keys[0]) {
  return fetch(`http://127.0.0.1:${server.port}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
}

async function updated(server: MockServer): Promise<TestClient> {
  const c = await TestClient.connect(server.url, {
    key: server.keys[0],
    model: 'mal-realtime-premium',
  });
  c.send({ type: 'session.update', session: { voice: 'mal-male' } });
  await c.next('session.updated');
  return c;
}

describe('the look-in endpoints (same port, same auth)', () => {
  it('refuse a request without a valid secret key (401)', async () => {
    const server = await serve();
    for (const [path, method] of [
      ['/sessions', 'GET'],
      ['/sessions/x/frames', 'GET'],
      ['/sessions/x/faults', 'POST'],
      ['/faults', 'POST'],
      ['/reset', 'POST'],
    ] as const) {
      const res = await admin(
        server,
        path,
        { method, body: method === 'POST' ? '{}' : null },
        'nope',
      );
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it('GET /sessions lists live and closed sessions with model, mode and counts', async () => {
    const server = await serve();
    const c = await updated(server);
    let body = (await (await admin(server, '/sessions')).json()) as { sessions: SessionRecord[] };
    expect(body.sessions).toHaveLength(1);
    expect(body.sessions[0]).toMatchObject({
      model: 'mal-realtime-premium',
      mode: 'premium',
      state: 'live',
      frames: { in: 1, out: 2 },
    });
    expect(typeof body.sessions[0]!.openedAt).toBe('number');
    c.close();
    await c.closed();
    await until(() => server.listSessions()[0]?.state === 'closed');
    body = (await (await admin(server, '/sessions')).json()) as { sessions: SessionRecord[] };
    expect(body.sessions[0]).toMatchObject({
      state: 'closed',
      closedBy: 'client',
      closeCode: 1000,
    });
    expect(typeof body.sessions[0]!.closedAt).toBe('number');
  });

  it('GET /sessions/:id/frames: both ways, filtered by type and dir, 404 and 400', async () => {
    const server = await serve();
    const c = await updated(server);
    c.sendAudio(utterance());
    await c.next('response.output_audio.delta');
    const id = server.listSessions()[0]!.id;
    const all = (await (await admin(server, `/sessions/${id}/frames`)).json()) as {
      frames: Frame[];
    };
    expect(all.frames.slice(0, 3).map((f) => [f.dir, f.type])).toEqual([
      ['out', 'session.created'],
      ['in', 'session.update'],
      ['out', 'session.updated'],
    ]);
    const appends = all.frames.filter((f) => f.type === 'input_audio_buffer.append');
    expect(appends[0]!.event?.audio).toMatch(/^<\d+ bytes of audio>$/);
    const ins = (await (await admin(server, `/sessions/${id}/frames?dir=in`)).json()) as {
      frames: Frame[];
    };
    expect(ins.frames.length).toBeGreaterThan(1);
    expect(ins.frames.every((f) => f.dir === 'in')).toBe(true);
    const typed = (await (
      await admin(server, `/sessions/${id}/frames?type=session.updated`)
    ).json()) as { frames: Frame[] };
    expect(typed.frames.map((f) => f.event?.session?.voice)).toEqual(['mal-male']);
    expect((await admin(server, `/sessions/sess_nope/frames`)).status).toBe(404);
    expect((await admin(server, `/sessions/${id}/frames?dir=up`)).status).toBe(400);
    c.close();
  });

  it('POST /sessions/:id/faults breaks that live session; a bad fault gets 400 with the violation', async () => {
    const server = await serve();
    const c = await updated(server);
    const id = server.listSessions()[0]!.id;
    const bad = await admin(server, `/sessions/${id}/faults`, {
      method: 'POST',
      body: JSON.stringify({ when: { on: 'delta' }, do: { action: 'explode' } }),
    });
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_fault');
    expect(error.message).toMatch(/^cannot read fault .*\/do\/action must be equal to constant/);
    expect(error.message).not.toContain('\n');
    const notJson = await admin(server, '/faults', { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect(
      (
        await admin(server, '/sessions/sess_nope/faults', {
          method: 'POST',
          body: JSON.stringify({
            when: { on: 'delta', count: 1 },
            do: { action: 'close', code: 1013 },
          }),
        })
      ).status,
    ).toBe(404);
    const ok = await admin(server, `/sessions/${id}/faults`, {
      method: 'POST',
      body: JSON.stringify({
        when: { on: 'delta', count: 2 },
        do: { action: 'close', code: 1013 },
      }),
    });
    expect(ok.status).toBe(201);
    c.sendAudio(utterance());
    expect(await c.closed()).toBe(1013);
    expect(c.of('response.output_audio.delta')).toHaveLength(2);
  });

  it('POST /faults reaches new sessions until POST /reset, which also empties the journal', async () => {
    const server = await serve();
    const first = await updated(server);
    first.close();
    await first.closed();
    const res = await admin(server, '/faults', {
      method: 'POST',
      body: JSON.stringify({ when: { on: 'connect' }, do: { action: 'close', code: 4008 } }),
    });
    expect(res.status).toBe(201);
    const broken = await TestClient.connect(server.url, { key: server.keys[0] });
    expect(await broken.closed()).toBe(4008);
    expect((await admin(server, '/reset', { method: 'POST' })).status).toBe(200);
    expect(server.listSessions()).toEqual([]);
    expect(server.frames()).toEqual([]);
    const fine = await updated(server);
    expect(fine.closeCode).toBeUndefined();
    expect(server.frames({ type: 'session.updated' })).toHaveLength(1);
    fine.close();
  });
});

describe('the journal from code', () => {
  it('waitFor is typed by the event, frames filters by session, type and dir', async () => {
    const server = await serve();
    const c = await updated(server);
    const frame = await server.waitFor('session.updated', { timeoutMs: 2000 });
    expectTypeOf(frame).toEqualTypeOf<JournalFrame<ServerEventOf<'session.updated'>>>();
    const voice = frame.event?.session.voice;
    expect(voice).toBe('mal-male');
    const [session] = server.listSessions();
    expect(server.frames({ session: session!.id, dir: 'in' }).map((f) => f.type)).toEqual([
      'session.update',
    ]);
    expect(server.frames({ session: 'sess_other' })).toEqual([]);
    await expect(server.waitFor('response.done', { timeoutMs: 50 })).rejects.toThrow(
      'no response.done frame within 50 ms',
    );
    c.close();
  });
});
