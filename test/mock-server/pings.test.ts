import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ControlEvent } from '../../mock-server/mock-server.js';
import { useMockServers } from '../support/mock-servers.js';

const serve = useMockServers();

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(url: string, key: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url}?model=mal-realtime-simple`, {
    headers: { Authorization: `Bearer ${key}` },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Resolves true when a pong comes back within `ms`, else false. */
function pinged(ws: WebSocket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    ws.once('pong', () => {
      clearTimeout(timer);
      resolve(true);
    });
    ws.ping();
  });
}

describe('the mock keep-alive', () => {
  it('pings every pingIntervalMs, answers pings, and tells onControl of both ways', async () => {
    const events: ControlEvent[] = [];
    const server = await serve({ pingIntervalMs: 50, onControl: (e) => events.push(e) });
    const ws = await open(server.url, server.keys[0]!);
    let serverPings = 0;
    ws.on('ping', () => (serverPings += 1));
    expect(await pinged(ws, 1000)).toBe(true);
    await settle(180);
    ws.close();
    expect(serverPings).toBeGreaterThanOrEqual(2);
    const kinds = new Set(events.map((e) => `${e.kind}:${e.dir}`));
    expect(kinds).toEqual(new Set(['ping:out', 'pong:in', 'ping:in', 'pong:out']));
    expect(events.every((e) => e.number === 1 && e.session.startsWith('sess_'))).toBe(true);
  });

  it('goes silent on a blackhole fault: no frames, no pings, no pongs, the socket stays open', async () => {
    const events: ControlEvent[] = [];
    const server = await serve({
      pingIntervalMs: 40,
      onControl: (e) => events.push(e),
      faults: [{ when: { on: 'time', afterMs: 100 }, do: { action: 'blackhole' } }],
    });
    const ws = await open(server.url, server.keys[0]!);
    let received = 0;
    ws.on('message', () => (received += 1));
    await settle(200);
    const before = { received, pings: events.filter((e) => e.kind === 'ping').length };
    // Unanswered: no session.updated comes back.
    ws.send(JSON.stringify({ type: 'session.update', session: {} }));
    expect(await pinged(ws, 300)).toBe(false);
    await settle(150);
    expect(received).toBe(before.received);
    // The client's ping was seen (ping:in) but the mock's own pings stopped.
    const outPings = events.filter((e) => e.kind === 'ping' && e.dir === 'out');
    expect(outPings.every((e) => e.at - events[0]!.at < 200)).toBe(true);
    expect(events.some((e) => e.kind === 'pong' && e.dir === 'out')).toBe(false);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.terminate();
  });

  it('does not ping with pingIntervalMs 0', async () => {
    const events: ControlEvent[] = [];
    const server = await serve({ pingIntervalMs: 0, onControl: (e) => events.push(e) });
    const ws = await open(server.url, server.keys[0]!);
    await settle(100);
    ws.close();
    expect(events.filter((e) => e.dir === 'out')).toEqual([]);
  });
});
