import { afterEach, describe, expect, it } from 'vitest';
import { FakeSwaramServer } from '../test-support/fake-swaram-server.js';
import { ExponentialBackoff } from './backoff.js';
import { ManualClock } from './clock.js';
import { encodePcm16 } from './pcm16.js';
import { SwaramClient, type SwaramClientOptions } from './swaram-client.js';
import { VirtualSpeaker, type PlaybackStop } from './virtual-speaker.js';

/*
 * The extension points are what make faulty variants cheap: each variant below is the few
 * lines a `clients/faulty/<bug>/` folder would hold, and the test shows its behaviour differs
 * from the reference exactly where intended.
 */

class ReconnectsOnAuth extends SwaramClient {
  protected override closeDecision(code: number, reason: string) {
    const decision = super.closeDecision(code, reason);
    return code === 4001 ? { ...decision, reconnect: true } : decision;
  }
}

class NudgesAfterTools extends SwaramClient {
  protected override afterToolOutput(): void {
    this.sendEvent({ type: 'response.create' });
  }
}

class IgnoresBargeIn extends SwaramClient {
  protected override bargeIn(): void {}
}

class AnswersWithItemId extends SwaramClient {
  protected override toolOutputEvent(
    call: Parameters<SwaramClient['toolOutputEvent']>[0],
    output: string,
  ) {
    return super.toolOutputEvent({ ...call, callId: call.itemId ?? call.callId }, output);
  }
}

const servers: FakeSwaramServer[] = [];
const clients: SwaramClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start<C extends SwaramClient>(
  make: (options: SwaramClientOptions) => C,
  extra: Partial<SwaramClientOptions> = {},
) {
  const server = await FakeSwaramServer.start();
  servers.push(server);
  const clock = new ManualClock();
  const stops: PlaybackStop[] = [];
  const client = make({
    url: server.url,
    apiKey: 'k',
    clock,
    pingIntervalMs: 0,
    player: new VirtualSpeaker({ clock, onStopped: (s) => stops.push(s) }),
    tools: { t: () => 'ok' },
    backoff: new ExponentialBackoff({ random: () => 0 }),
    ...extra,
  });
  clients.push(client);
  client.connect();
  const conn = await server.connection();
  await conn.acceptSession();
  await client.whenReady();
  return { server, clock, client, conn, stops };
}

const settle = () => new Promise((r) => setTimeout(r, 30));
const toolCall = {
  type: 'response.function_call_arguments.done',
  response_id: 'r1',
  item_id: 'item_7',
  output_index: 0,
  call_id: 'call_7',
  name: 't',
  arguments: '{}',
};

describe('faulty variants are a few lines each', () => {
  it('reconnects after 4001', async () => {
    const { server, clock, conn } = await start((o) => new ReconnectsOnAuth(o));
    conn.close(4001);
    await settle();
    clock.advance(250);
    await server.connection(2);
  });

  it('nudges with response.create after a tool answer', async () => {
    const { conn } = await start((o) => new NudgesAfterTools(o));
    conn.send(toolCall);
    await conn.next('response.create');
  });

  it('answers a tool with the item_id', async () => {
    const { conn } = await start((o) => new AnswersWithItemId(o));
    conn.send(toolCall);
    const answer = await conn.next('conversation.item.create');
    expect((answer.item as { call_id: string }).call_id).toBe('item_7');
  });

  it('keeps playing after barge-in', async () => {
    const { conn, stops } = await start((o) => new IgnoresBargeIn(o));
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send({
      type: 'response.output_audio.delta',
      response_id: 'r1',
      item_id: 'i1',
      output_index: 0,
      content_index: 0,
      delta: encodePcm16(new Uint8Array(4800)),
    });
    conn.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'u' });
    await settle();
    expect(stops).toEqual([]);
  });

  it('sends no jitter with a configured backoff', async () => {
    const { conn, client } = await start((o) => new SwaramClient(o), {
      backoff: new ExponentialBackoff({ jitter: 'none' }),
    });
    const delays: number[] = [];
    client.on('connection', (e) => e.delayMs !== undefined && delays.push(e.delayMs));
    conn.close(1013);
    await settle();
    expect(delays).toEqual([1500]);
  });
});
