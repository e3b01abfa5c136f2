import { WebSocketServer, type WebSocket } from 'ws';
import { loadFixture } from '../../protocol/fixture/load-fixture.js';
import { planReply } from '../../mock-server/player.js';

/**
 * The baseline the mock is measured against: a bare `ws` server that does the least any
 * realtime server does — parses every client frame (`JSON.parse`) and answers
 * `response.create` with the same reply audio as the mock (the fixture's pre-encoded deltas),
 * paced with one timer per session. No validation, no VAD, no journal.
 */
export async function startPacedBaseline(
  fixture = 'greeting',
): Promise<{ url: string; close(): Promise<void> }> {
  const loaded = await loadFixture(fixture);
  const plan = planReply(loaded.turns[0]!.responses[0]!);
  const deltas = plan.steps
    .filter((s) => s.kind === 'audio')
    .map((s) => ({
      atMs: s.atMs,
      text: JSON.stringify({ type: 'response.output_audio.delta', delta: s.delta }),
    }));
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    ws.send('{"type":"session.created"}');
    let timer: NodeJS.Timeout | undefined;
    ws.on('message', (data: Buffer) => {
      const event = JSON.parse(data.toString()) as { type?: string };
      if (event.type === 'response.create' && timer === undefined) reply(ws, (t) => (timer = t));
    });
    ws.on('close', () => clearTimeout(timer));
  });
  function reply(ws: WebSocket, setTimer: (t: NodeJS.Timeout | undefined) => void): void {
    ws.send('{"type":"response.created"}');
    const t0 = performance.now();
    let i = 0;
    const step = () => {
      if (ws.readyState !== ws.OPEN) return;
      const now = performance.now() - t0;
      while (i < deltas.length && deltas[i]!.atMs <= now) ws.send(deltas[i++]!.text);
      if (i < deltas.length) return setTimer(setTimeout(step, deltas[i]!.atMs - now));
      setTimer(undefined);
      ws.send('{"type":"response.done"}');
    };
    setTimer(setTimeout(step, deltas[0]!.atMs));
  }
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
