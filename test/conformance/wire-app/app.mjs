// A plain swaram app with no adapter: it reads SWARAM_URL / SWARAM_API_KEY / SWARAM_MODEL,
// says the greeting fixture's user turn in real time, waits for the reply, and closes.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

const wav = readFileSync(new URL('../../../fixtures/greeting/user-hello.wav', import.meta.url));
const pcm = wav.subarray(44);
const url = `${process.env.SWARAM_URL}?model=${process.env.SWARAM_MODEL ?? 'mal-realtime-simple'}`;
const ws = new WebSocket(url, {
  headers: { Authorization: `Bearer ${process.env.SWARAM_API_KEY}` },
});

ws.on('open', () =>
  ws.send(JSON.stringify({ type: 'session.update', session: { voice: 'mal-female' } })),
);
ws.on('message', (data) => {
  const event = JSON.parse(data.toString());
  if (event.type === 'session.updated') stream();
  if (event.type === 'response.done') setTimeout(() => ws.close(1000), 200);
});
ws.on('close', () => process.exit(0));

function stream() {
  const chunk = 4800; // 100 ms
  let offset = 0;
  const timer = setInterval(() => {
    const piece = offset < pcm.length ? pcm.subarray(offset, offset + chunk) : Buffer.alloc(chunk);
    offset += chunk;
    ws.send(
      JSON.stringify({
        type: 'input_audio_buffer.append',
        audio: Buffer.from(piece).toString('base64'),
      }),
    );
    if (offset > pcm.length + 20 * chunk) clearInterval(timer);
  }, 100);
}
