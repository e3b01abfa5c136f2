import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { httpHandler, json, type HttpRoute } from './http-endpoints.js';
import { listen } from './listen.js';

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(routes: HttpRoute[]): Promise<string> {
  const server = createServer(httpHandler(routes));
  servers.push(server);
  const { port } = await listen(server);
  return `http://127.0.0.1:${port}`;
}

describe('httpHandler: a route table', () => {
  it('routes by path and method, 405 for another method, 404 naming what is served', async () => {
    const base = await serve([
      { paths: ['/a', '/a2'], method: 'GET', handle: (_q, res) => json(res, 200, { a: 1 }) },
      { paths: ['/b'], method: 'POST', handle: (_q, res) => json(res, 201, { b: 1 }) },
    ]);
    expect(await (await fetch(`${base}/a2`)).json()).toEqual({ a: 1 });
    expect((await fetch(`${base}/b`, { method: 'POST' })).status).toBe(201);
    expect((await fetch(`${base}/b`)).status).toBe(405);
    const missing = await fetch(`${base}/c`);
    expect(missing.status).toBe(404);
    expect(JSON.stringify(await missing.json())).toContain('/v1/realtime (WebSocket), /a, /b');
  });

  it('answers 500 when a handler fails', async () => {
    const base = await serve([
      {
        paths: ['/x'],
        method: 'GET',
        handle: () => Promise.reject(new Error('boom')),
      },
    ]);
    expect((await fetch(`${base}/x`)).status).toBe(500);
  });
});
