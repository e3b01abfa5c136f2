import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ConnectionEvent } from '../../mock-server/mock-server.js';
import { useMockServers } from '../support/mock-servers.js';

const serve = useMockServers();

describe('when the mock dates a server close', () => {
  it('at its close frame, not at the end of the handshake (a slow client)', async () => {
    const events: ConnectionEvent[] = [];
    const server = await serve({
      speed: 1,
      faults: [{ when: { on: 'time', afterMs: 100 }, do: { action: 'close', code: 1000 } }],
      onConnection: (e) => events.push(e),
    });
    const ws = new WebSocket(`${server.url}?model=mal-realtime-simple`, {
      headers: { Authorization: `Bearer ${server.keys[0]}` },
    });
    // The client reads nothing for 300 ms: it answers the close frame that late.
    ws.once('open', () => {
      ws.pause();
      setTimeout(() => ws.resume(), 400);
    });
    await new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await new Promise((r) => setTimeout(r, 50));
    const opened = events.find((e) => e.kind === 'opened')!;
    const closed = events.find((e) => e.kind === 'closed');
    expect(closed?.kind === 'closed' && closed.closedBy).toBe('server');
    if (closed?.kind !== 'closed') throw new Error('no close recorded');
    expect(closed.at - opened.at).toBeGreaterThanOrEqual(90);
    expect(closed.at - opened.at).toBeLessThan(250);
    expect(closed.handshakeAt! - opened.at).toBeGreaterThanOrEqual(350);
  });
});
