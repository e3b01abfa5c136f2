import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startMockServer, type MockServer } from '../../index.js'; // your code: from 'swaram-conformance'

let server: MockServer;
let ws: WebSocket;

beforeAll(async () => {
  server = await startMockServer({ fixture: 'greeting', port: 0, speed: 10 });
  ws = new WebSocket(`${server.url}?model=mal-realtime-simple`, {
    headers: { Authorization: `Bearer ${server.keys[0]}` },
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
});

afterAll(async () => {
  ws.close();
  await server.close();
});

it('acknowledges the session the client asked for', async () => {
  ws.send(JSON.stringify({ type: 'session.update', session: { voice: 'mal-male' } }));

  // Typed by the event: `updated.event` is a session.updated event.
  const updated = await server.waitFor('session.updated', { timeoutMs: 2000 });
  expect(updated.event?.session.voice).toBe('mal-male');

  // The journal, both ways, filtered.
  const sent = server.frames({ session: updated.session, dir: 'in' });
  expect(sent.map((f) => f.type)).toEqual(['session.update']);
});

it('steers and reads the mock over HTTP, with the key as Bearer', async () => {
  const base = `http://127.0.0.1:${server.port}`;
  const headers = { Authorization: `Bearer ${server.keys[0]}` };

  // Close the live session after the second audio delta.
  const [live] = server.listSessions();
  const injected = await fetch(`${base}/sessions/${live!.id}/faults`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ when: { on: 'delta', count: 2 }, do: { action: 'close', code: 1013 } }),
  });
  expect(injected.status).toBe(201);

  const listed = (await (await fetch(`${base}/sessions`, { headers })).json()) as {
    sessions: Array<{ id: string; state: string; mode: string }>;
  };
  expect(listed.sessions).toEqual([expect.objectContaining({ state: 'live', mode: 'simple' })]);
});
