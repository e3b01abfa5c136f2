import { describe, expect, it } from 'vitest';
import type { SheddingChange } from '../../mock-server/load-shedding.js';
import type { MockServer } from '../../mock-server/mock-server.js';
import { useMockServers } from '../support/mock-servers.js';
import { TestClient } from '../support/test-client.js';

const serve = useMockServers();

async function health(server: MockServer) {
  const base = server.url.replace(/^ws/, 'http').replace('/v1/realtime', '');
  return (await (await fetch(`${base}/health`)).json()) as {
    status: string;
    load: { shedding: boolean; refused: number; episodes: number; utilization?: number };
  };
}

/** Keeps this process's event loop busy about `busyMs` of every `everyMs` until stopped. */
function overload(busyMs: number, everyMs: number): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + busyMs;
    while (performance.now() < until) {
      // spin: the mock shares this event loop
    }
  }, everyMs);
  return () => clearInterval(timer);
}

async function until(what: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('mock server: load shedding (close 1013 when overloaded)', () => {
  it('refuses new sessions with 1013 while overloaded, counts them in /health, keeps the live one, and admits again', async () => {
    const changes: SheddingChange[] = [];
    // Only utilisation can trip here: the loop-delay and lateness limits are far away.
    const server = await serve({
      shedding: {
        maxUtilization: 0.4,
        maxLoopDelayMs: 5000,
        maxPacingLatenessMs: 5000,
        intervalMs: 100,
      },
      onShedding: (c) => changes.push(c),
    });
    const key = server.keys[0];
    const kept = await TestClient.connect(server.url, { key });
    await kept.next('session.created');
    expect((await health(server)).load).toMatchObject({ shedding: true, refused: 0 });

    const stop = overload(40, 50);
    try {
      await until(async () => (await health(server)).status === 'shedding' || (await tryRefused()));
    } finally {
      stop();
    }
    async function tryRefused(): Promise<boolean> {
      const c = await TestClient.connect(server.url, { key });
      const code = await Promise.race([
        c.closed(),
        c.next('session.created').then(() => 'admitted' as const),
      ]);
      if (code === 'admitted') {
        c.close();
        return false;
      }
      expect(code).toBe(1013);
      expect(c.events).toEqual([]); // nothing before a 1013, as swaram
      return true;
    }
    const during = await health(server);
    expect(during.load.refused).toBeGreaterThanOrEqual(1);
    expect(during.load.episodes).toBe(1);
    expect(changes[0]).toMatchObject({ kind: 'shedding' });
    expect(changes[0]?.kind === 'shedding' && changes[0].reason).toMatch(/utilisation/);

    // Load gone: a healthy sample lets sessions in again (retried: on a busy machine the
    // first samples after the spin may still show someone else's load).
    let after: TestClient | undefined;
    await until(async () => {
      const c = await TestClient.connect(server.url, { key });
      const code = await Promise.race([
        c.closed(),
        c.next('session.created').then(() => 'admitted' as const),
      ]);
      if (code === 'admitted') after = c;
      else expect(code).toBe(1013);
      return after !== undefined;
    });
    expect((await health(server)).status).toBe('ok');
    expect(changes.at(-1)).toMatchObject({ kind: 'admitting' });
    // The session admitted before the overload was never touched.
    expect(kept.ws.readyState).toBe(kept.ws.OPEN);
    for (const c of [kept, after!]) c.close();
  });

  it('is off unless asked: the same overload refuses nobody', async () => {
    const server = await serve();
    const stop = overload(40, 50);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const c = await TestClient.connect(server.url, { key: server.keys[0] });
      await c.next('session.created');
      c.close();
    } finally {
      stop();
    }
    expect((await health(server)).load).toEqual({ shedding: false });
  });
});
