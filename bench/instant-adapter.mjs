#!/usr/bin/env node
// An "instant" swaram-adapter/1 adapter for bench/harness-overhead.bench.ts: the smallest
// client that runs the tool-call scenario and adds no time of its own. It speaks the wire
// directly (no SDK, no speaker, no buffering): session.update on open, every mic.audio piece
// as one append the moment it arrives, and a function call's tool.invoke the moment its
// arguments are done, its function_call_output the moment tool.result arrives. Whatever
// L_tool_out the runner then reports is the harness's own overhead (the mock, the sockets,
// the adapter pipes, the recording). Plain JavaScript so that it starts in a few ms.
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

let socket;
let ready = false; // session.updated seen: microphone audio flows (before it, dropped)
let eventId = 0;
const write = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const reply = (id, ok = true, error) =>
  write({ type: 'reply', id, ok, ...(error ? { error } : {}) });
const send = (event) =>
  socket?.readyState === WebSocket.OPEN &&
  socket.send(JSON.stringify({ ...event, event_id: `evt_${++eventId}` }));

function connect(command) {
  const url = new URL(command.url);
  url.searchParams.set('model', command.model ?? 'mal-realtime-simple');
  socket = new WebSocket(url, { headers: { Authorization: `Bearer ${command.apiKey}` } });
  write({ type: 'connection', state: 'connecting', attempt: 1 });
  socket.on('open', () => {
    write({ type: 'connection', state: 'open', attempt: 1 });
    send({ type: 'session.update', session: command.session ?? {} });
  });
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString());
    if (event.type === 'session.updated' && !ready) {
      ready = true;
      write({ type: 'connection', state: 'ready', attempt: 1 });
    }
    if (event.type === 'response.function_call_arguments.done') {
      const { call_id, name, arguments: args } = event;
      write({ type: 'tool.invoke', call_id, name, arguments: args });
    }
  });
  socket.on('close', (code) => {
    write({ type: 'connection', state: 'closed', attempt: 1, code, by: 'server' });
    socket = undefined;
    ready = false;
  });
  socket.on('error', (error) => process.stderr.write(`socket: ${error.message}\n`));
}

const commands = {
  connect,
  'mic.audio': (c) => ready && send({ type: 'input_audio_buffer.append', audio: c.audio }),
  'mic.end': () => undefined,
  'tool.result': (c) =>
    send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: c.call_id, output: c.output ?? c.error },
    }),
  end: () => socket?.close(1000),
  shutdown: () => {
    socket?.close(1000);
    setImmediate(() => process.exit(0));
  },
};

write({
  type: 'hello',
  protocol: 'swaram-adapter/1',
  client: { name: 'instant-adapter', version: '1.0.0', language: 'javascript' },
  features: ['tools'],
});
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let command;
  try {
    command = JSON.parse(line);
  } catch {
    return reply(null, false, { code: 'invalid_json', message: 'not JSON' });
  }
  const handle = commands[command.type];
  if (!handle) return reply(command.id, false, { code: 'unsupported', message: command.type });
  reply(command.id);
  handle(command);
});
lines.on('close', () => commands.shutdown());
