import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import { startMockServer } from '../mock-server/mock-server.js';
import type { BenchOptions } from './run.js';

export const description =
  'mock under load: pacing lateness with N sessions streaming paced replies; session.update round trip vs a bare ws echo';

/**
 * The clients run in a worker thread (their own event loop, the machine's other core), so the
 * mock's event loop carries only the mock. Figures:
 *
 * - round trip: `session.update` → `session.updated` on an idle mock, against the same-sized
 *   frame echoed by a bare `ws` server, sequentially on one connection (p50, p99);
 * - load: N sessions, each asking for a reply (`response.create`) whenever the last one ended,
 *   so every session streams paced 100 ms audio deltas for the whole window; the mock's
 *   scheduler reports how late it ran each delta (p50, p99, max).
 */
export async function run(options: BenchOptions): Promise<void> {
  const sessions = Number(process.env.SWARAM_BENCH_SESSIONS ?? (options.quick ? 100 : 1000));
  const loadMs = options.quick ? 3000 : 10_000;
  const rounds = options.quick ? 300 : 2000;

  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  echo.on('connection', (ws) => ws.on('message', (m) => ws.send(m.toString())));
  await new Promise<void>((r) => echo.once('listening', () => r()));
  const echoUrl = `ws://127.0.0.1:${(echo.address() as { port: number }).port}`;
  const server = await startMockServer({ fixture: 'greeting' });
  const mockUrl = `${server.url}?model=mal-realtime-simple&api_key=${server.keys[0]}`;

  const rtt = (await inWorker({ kind: 'rtt', echoUrl, mockUrl, rounds })) as {
    echo: number[];
    mock: number[];
  };
  const e = stats(rtt.echo);
  const m = stats(rtt.mock);
  console.log(`  round trip over ${rounds} sequential messages (ms):`);
  console.log(`    bare ws echo            p50 ${e.p50.toFixed(3)}  p99 ${e.p99.toFixed(3)}`);
  console.log(`    mock session.update     p50 ${m.p50.toFixed(3)}  p99 ${m.p99.toFixed(3)}`);
  console.log(
    `    ratio mock / echo       p50 ${(m.p50 / e.p50).toFixed(2)}×  p99 ${(m.p99 / e.p99).toFixed(2)}×`,
  );

  const worker = startWorker({ kind: 'load', mockUrl, sessions, loadMs });
  const ready = await nextMessage(worker);
  console.log(
    `  load: ${(ready as { open: number }).open} sessions open, streaming for ${loadMs / 1000} s…`,
  );
  server.scheduler.resetLatenessStats();
  // process.cpuUsage() would count the client worker thread too; the event loop utilisation
  // of this (the mock's) thread is the mock's own share.
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const done = (await nextMessage(worker)) as { deltas: number; errors: number };
  const wall = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  const late = server.scheduler.latenessStats();
  console.log(
    `    deltas received         ${done.deltas} (${Math.round((done.deltas / wall) * 1000)}/s), errors ${done.errors}`,
  );
  console.log(
    `    pacing lateness (ms)    p50 ${late.p50.toFixed(1)}  p99 ${late.p99.toFixed(1)}  max ${late.max.toFixed(1)}  (${late.count} scheduled sends)`,
  );
  console.log(
    `    mock event loop busy    ${(elu.utilization * 100).toFixed(0)}% (its own thread; the clients run in a worker)`,
  );
  await worker.terminate();
  await server.close();
  echo.close();
}

function stats(xs: number[]): { p50: number; p99: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

function startWorker(data: Record<string, unknown>): Worker {
  // Workers do not inherit tsx's loader: register it, then load this module again.
  const self = JSON.stringify(import.meta.url);
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${self}); });`;
  return new Worker(code, { eval: true, workerData: data });
}

function nextMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function inWorker(data: Record<string, unknown>): Promise<unknown> {
  const worker = startWorker(data);
  try {
    return await nextMessage(worker);
  } finally {
    await worker.terminate();
  }
}

// ----- the client side, in the worker -----------------------------------------------------

const { isMainThread, parentPort, workerData } = await import('node:worker_threads');
if (!isMainThread && parentPort) {
  const { default: WebSocket } = await import('ws');
  // The mock sends session.created at once: it can arrive in the same read as the upgrade
  // response, so 'message' fires before an `await open()` continuation could listen. Every
  // socket therefore keeps its first message from the start (the cause of the old hang).
  const firstMessage = new WeakMap<InstanceType<typeof WebSocket>, Promise<unknown>>();
  const open = (url: string) =>
    new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
      const ws = new WebSocket(url);
      firstMessage.set(ws, new Promise((r) => ws.once('message', r)));
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const data = workerData as Record<string, unknown>;
  const update = JSON.stringify({
    type: 'session.update',
    session: { voice: 'mal-female', instructions: 'ചുരുക്കി പറയുക' },
  });

  if (data.kind === 'rtt') {
    const roundTrips = async (
      ws: InstanceType<typeof WebSocket>,
      until: (m: string) => boolean,
    ) => {
      const out: number[] = [];
      for (let i = 0; i < (data.rounds as number); i++) {
        const t = performance.now();
        await new Promise<void>((resolve) => {
          const on = (m: Buffer) => {
            if (!until(m.toString())) return;
            ws.off('message', on);
            resolve();
          };
          ws.on('message', on);
          ws.send(update);
        });
        out.push(performance.now() - t);
      }
      return out;
    };
    const echoWs = await open(data.echoUrl as string);
    const echo = await roundTrips(echoWs, () => true);
    const mockWs = await open(data.mockUrl as string);
    await firstMessage.get(mockWs); // session.created
    const mock = await roundTrips(mockWs, (m) => m.includes('"session.updated"'));
    parentPort.postMessage({ echo, mock });
  } else {
    const sockets: Array<InstanceType<typeof WebSocket>> = [];
    let deltas = 0;
    let errors = 0;
    for (let i = 0; i < (data.sessions as number); i++) {
      const ws = await open(data.mockUrl as string);
      ws.on('message', (m: Buffer) => {
        const text = m.toString();
        if (text.includes('"response.output_audio.delta"')) deltas++;
        else if (text.includes('"response.done"')) ws.send('{"type":"response.create"}');
        else if (text.includes('"type":"error"')) errors++;
      });
      ws.send(update);
      sockets.push(ws);
    }
    parentPort.postMessage({ open: sockets.length });
    for (const ws of sockets) ws.send('{"type":"response.create"}');
    await new Promise((r) => setTimeout(r, data.loadMs as number));
    parentPort.postMessage({ deltas, errors });
    for (const ws of sockets) ws.terminate();
  }
}
